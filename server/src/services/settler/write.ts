import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { BatchWrites } from '../../engine/settlement/types';
import { col, s, type Tx } from '../../repo/db';
import { postBatch } from '../../repo/ledger';
import { queueMessages } from '../outbox/queue';

/** Documents as the bulk writes see them: string ids, any fields. */
type Loose = { _id: string } & Document;

/** The book the settler posts to: one hash chain for every settlement, release, reset and exit. */
export const SETTLER_BOOK = 'settle';

/**
 * Write what the planner decided, with one bulk write per collection (one round trip each on a
 * real server). Updates of documents that must still be in the state the batch read are
 * conditional, and a short match aborts the transaction: under snapshot isolation another
 * writer would already have made it conflict, so this is a second line, not the first.
 */
export async function writeBatch(tx: Tx, w: BatchWrites): Promise<void> {
  const ops = (list: AnyBulkWriteOperation<Loose>[]) => list;
  const bulk = async (name: Parameters<typeof col>[1], list: AnyBulkWriteOperation<Loose>[], expectMatched?: number) => {
    if (!list.length) return;
    const r = await tx.db.collection<Loose>(name).bulkWrite(list, { ...s(tx), ordered: true });
    if (expectMatched !== undefined && r.matchedCount !== expectMatched) throw new Error(`invariant: settler expected ${expectMatched} ${name} to match, ${r.matchedCount} did`);
  };

  const orderOps = ops([...w.orders].map(([_id, set]) => ({ updateOne: { filter: { _id, settleDue: true }, update: { $set: set } } })));
  await bulk('orders', orderOps, orderOps.length);

  if (w.entryInserts.length) await col(tx.db, 'entries').insertMany(w.entryInserts, s(tx));
  const entryOps = ops([...w.entryUpdates].map(([_id, set]) => ({ updateOne: { filter: { _id, status: 'pending' }, update: { $set: set } } })));
  await bulk('entries', entryOps, entryOps.length);

  const queueOps = ops(
    [...w.queues].map(([_id, q]) => {
      const onInsert = q.insert
        ? Object.fromEntries(Object.entries(q.insert).filter(([k]) => k !== '_id' && !(k in q.inc) && !(k in q.set)))
        : undefined;
      return {
        updateOne: {
          filter: { _id },
          update: { ...(Object.keys(q.inc).length ? { $inc: q.inc } : {}), ...(Object.keys(q.set).length ? { $set: q.set } : {}), ...(onInsert ? { $setOnInsert: onInsert } : {}) },
          upsert: !!q.insert,
        },
      };
    }),
  );
  await bulk('queues', queueOps);

  if (w.unionEntryInserts.length) await col(tx.db, 'union_entries').insertMany(w.unionEntryInserts, s(tx));
  const unionOps = ops([...w.unionEntryUpdates].map(([_id, set]) => ({ updateOne: { filter: { _id, status: 'pending' }, update: { $set: set } } })));
  await bulk('union_entries', unionOps, unionOps.length);
  if (Object.keys(w.unionInc).length || w.unionNextSeq !== null) {
    // every counter is incremented (zeros included) so that a new pool document has them all
    const inc = { poolFen: 0, inflowFen: 0, pendingFen: 0, pendingCount: 0, releasedFen: 0, ...w.unionInc };
    await col(tx.db, 'union_state').updateOne(
      { _id: 'union' },
      { $inc: inc, ...(w.unionNextSeq !== null ? { $set: { nextSeq: w.unionNextSeq } } : {}) },
      { ...s(tx), upsert: true },
    );
  }

  if (w.green) {
    const { _id, inflowFen: _i, paidOutFen: _p, version: _v, exitHeldFen: _h, exitPendingUnits: _u, exitPendingCount: _c, ...state } = w.green;
    await col(tx.db, 'green_state').updateOne(
      { _id: 'green' },
      // (the counters of deferred exit payouts are increments too: only an exit step has them)
      { $set: state, $inc: { ...w.greenInc, inflowFen: w.greenInc.inflowFen ?? 0, paidOutFen: w.greenInc.paidOutFen ?? 0, version: 1 } },
      { ...s(tx), upsert: true },
    );
  }
  const dayOps = ops(
    [...w.greenDays].map(([_id, d]) => ({
      updateOne: {
        filter: { _id },
        update: { $set: { closeNum: d.close.num, closeDen: d.close.den, updatedAt: tx.now }, $setOnInsert: { openNum: d.open.num, openDen: d.open.den } },
        upsert: true,
      },
    })),
  );
  await bulk('green_days', dayOps);
  if (w.lotInserts.length) await col(tx.db, 'green_lots').insertMany(w.lotInserts, s(tx));
  const lotOps = ops([...w.lotUpdates].map(([_id, set]) => ({ updateOne: { filter: { _id, status: 'active' }, update: { $set: set } } })));
  await bulk('green_lots', lotOps, lotOps.length);

  await bulk('counters', ops([...w.counters].map(([_id, count]) => ({ updateOne: { filter: { _id }, update: { $set: { count } }, upsert: true } }))));
  await bulk(
    'inflows',
    ops([...w.inflows].map(([_id, fen]) => ({ updateOne: { filter: { _id }, update: { $inc: { fen }, $setOnInsert: { target: _id.slice(0, _id.lastIndexOf('|')), day: _id.slice(_id.lastIndexOf('|') + 1) } }, upsert: true } }))),
  );
  // one update per shopper: completed spend and the commission counters together
  const userInc = new Map<string, Record<string, number>>();
  const inc = (id: string, field: string, n: number) => n && userInc.set(id, { ...userInc.get(id), [field]: (userInc.get(id)?.[field] ?? 0) + n });
  for (const [id, fen] of w.userSpend) inc(id, 'completedSpendFen', fen);
  for (const [id, c] of w.userCommission) {
    inc(id, 'commissionBroughtFen', c.broughtFen);
    inc(id, 'commissionEarnedFen', c.earnedFen);
  }
  await bulk('users', ops([...userInc].map(([_id, $inc]) => ({ updateOne: { filter: { _id }, update: { $inc } } }))));

  await postBatch(tx, SETTLER_BOOK, w.journal);
  await queueMessages(tx, w.messages);
}
