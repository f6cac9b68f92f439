import { col, s, type Tx } from '../../repo/db';
import type { JobDoc } from '../../repo/documents';

/**
 * Save a step of a settler job (totals and where it stands): `reset:<instant>` and
 * `union-release:<day>`, which runDaily reports. Created by its first step when nobody asked for
 * it first (a reset); `done` closes it.
 */
export async function saveJob(tx: Tx, id: string, kind: string, done: boolean, inc: { processed: number; amountFen: number } = { processed: 0, amountFen: 0 }, set: Partial<JobDoc> = {}): Promise<void> {
  const $set = { ...set, status: done ? ('done' as const) : ('running' as const), finishedAt: done ? tx.now : null };
  // a path may be in $set or $setOnInsert, not both (the server refuses it with code 40)
  const onInsert = Object.fromEntries(Object.entries({ kind, startedAt: tx.now, note: '', cursor: 0 }).filter(([k]) => !(k in $set)));
  await col(tx.db, 'jobs').updateOne(
    { _id: id },
    { $set, $inc: { chunks: 1, transactions: 1, processed: inc.processed, amountFen: inc.amountFen }, $setOnInsert: onInsert },
    { ...s(tx), upsert: true },
  );
}
