import { acct } from '../../engine/ledger/accounts';
import { Movements } from '../../engine/ledger/movements';
import type { PlannedMessage } from '../../engine/settlement/types';
import { col, s, type Tx } from '../../repo/db';
import type { GreenLotDoc, GreenStateDoc } from '../../repo/documents';
import { postBatch } from '../../repo/ledger';
import { queueMessages } from '../outbox/queue';
import { SETTLER_BOOK } from './write';

/**
 * 出局到账: pay the holders of the lots the settler's exit steps took out (steps.ts, exitChunk).
 *
 * An exit step decides each exit exactly as a batch does, in order and at the pool as it then
 * is, and changes the pool and the price at once; but it only writes the lot (status 'exited',
 * `payoutFen`, `payoutPending`) and sets the payouts aside (pool → CASH:pool:green:exits). This
 * step then pays shopper by shopper: all of a shopper's pending exits in ONE posting per account
 * (their GREEN units back to the issuer, their payouts from the hold to their CASH) and one
 * message. Why: consecutive exits of a cascade mostly belong to different shoppers, so paying
 * each with its exit wrote the shopper's two balances and two ledger rows per lot (five
 * documents); here a shopper's four are written once for all the lots of theirs that exited.
 *
 * Until its payout step, an exited lot's units are still in its holder's GREEN balance, and no
 * longer in the pool's total: the exit step moved them to the issuer from GREEN:pool:exits, which
 * stands at minus the points still to take (green_state.exitPendingUnits; verifyLedger checks
 * both). They cannot be spent meanwhile: withdrawals, transfers and mall spending take points from
 * active lots only. The shopper's green page counts active lots only, as before.
 */

/** Per shopper: the CASH and GREEN balances and their rows. */
const PER_SHOPPER = 4;
/** The two exit accounts' balances and rows, the pool state, the journal entry and its book's head, the messages' outbox bundle. */
const PAY_FIXED = 8;

/** Whether any exit waits for its payout. */
export const payoutsPending = (green: GreenStateDoc): boolean => (green.exitPendingCount ?? 0) > 0;

/** Pay the pending exits of the next shoppers (userId order), as many as `maxDocs` allows; `more`: some remain. */
export async function exitPayoutStep(tx: Tx, green: GreenStateDoc, maxDocs: number, at: Date): Promise<{ paidLots: number; more: boolean }> {
  const room0 = maxDocs - PAY_FIXED;
  if (room0 <= PER_SHOPPER) throw new Error(`invariant: an exit payout step has no room for one shopper (maxDocs ${maxDocs})`);
  const lots = col(tx.db, 'green_lots');
  // (at most one lot per document of room: every lot paid is written)
  // (only what a payout needs: with one lot per shopper, most of what is read is left for the next steps)
  const pending = (await lots
    .find({ payoutPending: true }, { ...s(tx), projection: { userId: 1, payoutFen: 1, exitedUnits: 1 } })
    .sort({ userId: 1, _id: 1 })
    .limit(room0 - PER_SHOPPER)
    .toArray()) as Pick<GreenLotDoc, '_id' | 'userId' | 'payoutFen' | 'exitedUnits'>[];
  if (pending.length === 0) throw new Error('invariant: green_state counts exits waiting for their payout, and there are none');
  let room = room0;
  const shoppers: { userId: string; lots: typeof pending }[] = [];
  for (const lot of pending) {
    const last = shoppers[shoppers.length - 1];
    if (last?.userId === lot.userId) {
      if (room < 1) break;
      last.lots.push(lot);
      room -= 1;
    } else {
      if (room < PER_SHOPPER + 1) break;
      shoppers.push({ userId: lot.userId, lots: [lot] });
      room -= PER_SHOPPER + 1;
    }
  }
  const mv = new Movements();
  const messages: PlannedMessage[] = [];
  let fen = 0;
  let units = 0;
  let count = 0;
  for (const { userId, lots: mine } of shoppers) {
    const paid = mine.reduce((a, l) => a + (l.payoutFen ?? 0), 0);
    const burned = mine.reduce((a, l) => a + (l.exitedUnits ?? 0), 0);
    mv.move(acct.userGreen(userId), acct.greenExitUnits, burned, '绿色积分出局');
    mv.move(acct.greenExitHold, acct.userCash(userId), paid, '绿色积分出局到账');
    messages.push({ userId, kind: 'exit', data: { amount: String(paid), lotId: mine[0]!._id, count: String(mine.length) } });
    fen += paid;
    units += burned;
    count += mine.length;
  }
  const paidLots = shoppers.flatMap((x) => x.lots);
  const r = await lots.bulkWrite(
    paidLots.map((l) => ({ updateOne: { filter: { _id: l._id, payoutPending: true as const }, update: { $unset: { payoutPending: '' as const } } } })),
    { ...s(tx), ordered: true },
  );
  if (r.matchedCount !== paidLots.length) throw new Error('invariant: an exit to pay was no longer waiting for its payout');
  // (`green` is this transaction's snapshot of the state: what is left after this step)
  const left = { fen: (green.exitHeldFen ?? 0) - fen, units: (green.exitPendingUnits ?? 0) - units, count: (green.exitPendingCount ?? 0) - count };
  if (left.fen < 0 || left.units < 0 || left.count < 0) throw new Error('invariant: exit payouts would pay more than was set aside');
  // (no version bump: the pool and the price did not change, no lot can have become due)
  await col(tx.db, 'green_state').updateOne({ _id: 'green' }, { $inc: { exitHeldFen: -fen, exitPendingUnits: -units, exitPendingCount: -count } }, s(tx));
  await postBatch(tx, SETTLER_BOOK, [{ draft: { eventKey: `green.exit.payout:${paidLots[0]!._id}`, type: 'green.exit.payout', postings: mv.postings, refs: { lots: count } }, at }]);
  await queueMessages(tx, messages);
  return { paidLots: count, more: left.count > 0 };
}
