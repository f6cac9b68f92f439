import { col, runTransaction, s, type Store, type Tx } from '../repo/db';
import type { OutboxDoc } from '../repo/documents';
import { newId } from '../repo/ids';
import type { WxPort } from '../runtime/wx';

/**
 * Subscribe messages (SPEC §7) and WeChat Pay refunds use a transactional outbox: the event's
 * transaction records them; they are sent only after the commit, so a retried or aborted transaction never messages
 * a shopper, and a committed one always does (the next dispatch picks up what a crash left).
 */
export async function queueOutbox(tx: Tx, userId: string, kind: OutboxDoc['kind'], data: Record<string, string>): Promise<void> {
  await col(tx.db, 'outbox').insertOne(
    { _id: newId('M'), userId, openid: '', kind, data, status: 'pending', createdAt: tx.now, sentAt: null, error: null },
    s(tx),
  );
  tx.afterCommit(async () => void (dispatchNeeded = true));
}

/** Many messages of one transaction (the settler's batch) as one bundle document, split when dispatched. */
export async function queueMessages(tx: Tx, messages: NonNullable<OutboxDoc['messages']>): Promise<void> {
  if (messages.length === 0) return;
  if (messages.length === 1) return queueOutbox(tx, messages[0]!.userId, messages[0]!.kind, messages[0]!.data);
  await col(tx.db, 'outbox').insertOne(
    { _id: newId('M'), userId: '', openid: '', kind: 'bundle', data: {}, messages, status: 'pending', createdAt: tx.now, sentAt: null, error: null },
    s(tx),
  );
  tx.afterCommit(async () => void (dispatchNeeded = true));
}

/** A bundle's messages become single messages (one transaction, bounded by the bundle's size). */
async function splitBundle(store: Store, bundle: OutboxDoc, now: Date): Promise<void> {
  await runTransaction(store, now, async (tx) => {
    const still = await col(tx.db, 'outbox').findOne({ _id: bundle._id, status: 'pending' }, s(tx));
    if (!still) return;
    const docs = (still.messages ?? []).map((m, i) => ({
      _id: `${bundle._id}.${i}`,
      userId: m.userId,
      openid: '',
      kind: m.kind,
      data: m.data,
      status: 'pending' as const,
      createdAt: bundle.createdAt,
      sentAt: null,
      error: null,
    }));
    if (docs.length) await col(tx.db, 'outbox').insertMany(docs, s(tx));
    await col(tx.db, 'outbox').deleteOne({ _id: bundle._id }, s(tx));
  });
}

/**
 * Whether this process committed messages not yet dispatched. True at start, so messages a crash
 * left pending are picked up by the first call; the daily job dispatches regardless. Calls that
 * queued nothing (most reads) skip the outbox query.
 */
let dispatchNeeded = true;
export const outboxMayHaveWork = () => dispatchNeeded;

const DISPATCH_BATCH = 50;

/** Send pending messages; in local mode they are recorded, not sent. Returns how many were handled. */
export async function dispatchOutbox(store: Store, wx: WxPort, now: Date): Promise<number> {
  dispatchNeeded = false; // messages committed from here on set it again
  let handled = 0;
  // a bundle split in one round is sent in the next (bounded: a few rounds per call)
  for (let round = 0; round < 4; round++) {
    const r = await dispatchRound(store, wx, now).catch((err) => {
      dispatchNeeded = true;
      throw err;
    });
    handled += r.handled;
    if (!r.split) break;
  }
  return handled;
}

async function dispatchRound(store: Store, wx: WxPort, now: Date): Promise<{ handled: number; split: boolean }> {
  const outbox = col(store.db, 'outbox');
  const pending = await outbox.find({ status: 'pending' }).sort({ createdAt: 1 }).limit(DISPATCH_BATCH).toArray();
  if (pending.length === DISPATCH_BATCH) dispatchNeeded = true; // more than one batch waiting: the next call continues
  let split = false;
  for (const m of pending) {
    if (m.kind === 'bundle') {
      await splitBundle(store, m, now);
      split = true;
      continue;
    }
    // Claim the message first so two dispatchers never send it twice.
    const claimed = await outbox.findOneAndUpdate({ _id: m._id, status: 'pending' }, { $set: { status: 'sent', sentAt: now } }, { returnDocument: 'after' });
    if (!claimed) continue;
    const user = await col(store.db, 'users').findOne({ _id: m.userId });
    try {
      if (m.kind === 'refund') {
        await wx.refundPayment({ orderId: m.data.orderId!, refundId: m.data.refundId!, totalFen: Number(m.data.totalFen), refundFen: Number(m.data.refundFen) });
      } else {
        await wx.sendSubscribeMessage(user?.openid ?? '', m.kind, m.data);
      }
      await outbox.updateOne({ _id: m._id }, { $set: { status: wx.mode === 'local' ? 'recorded' : 'sent', openid: user?.openid ?? '' } });
    } catch (err) {
      // A shopper who has not subscribed makes WeChat refuse: record it, never retry forever.
      await outbox.updateOne({ _id: m._id }, { $set: { status: 'failed', error: String((err as Error).message ?? err).slice(0, 200) } });
    }
  }
  return { handled: pending.length, split };
}
