import type { JournalEntry } from '../engine/ledger/journal';
import { applyPosting, chained } from './ledger';
import { col, MAX_TX_DOCS, s, type Tx } from './db';

/**
 * Database migration 2: rebuild the account rows and balances (repo/ledger.ts `chained`) from the
 * journal, the source of truth. Before it, rows existed only for the wallet accounts, without
 * `seq`/`balanceAfter`, and balances had no `seq`; since it, every shopper account (including the
 * pending entitlements QENT/UENT) and the pool/issuer accounts are chained, which is what lets
 * verifyLedger check them in bounded steps. Three phases of bounded steps: delete the old rows,
 * delete the old balances, replay the journal in (book, height) order. The result does not depend
 * on the replay order except for the intermediate `balanceAfter` values.
 *
 * It rewrites derived data, so it must not run while old code is posting: run `npm run db:setup`
 * with the cloud functions paused (new functions refuse to serve until it is done anyway).
 */
export type ChainsState = { phase: 'rows' | 'balances' | 'replay'; after: string; book: string; height: number };

/** Documents deleted per step (the step also writes the schema document: within MAX_TX_DOCS). */
export const DELETE_CHUNK = 400;
/** Journal entries read per replay step; the step stops earlier when their rows would cross MAX_TX_DOCS. */
export const REPLAY_CHUNK = 100;

export async function migrateLedgerChains(tx: Tx, raw: unknown): Promise<ChainsState | null> {
  const state: ChainsState = (raw as ChainsState | null) ?? { phase: 'rows', after: '', book: '', height: 0 };
  if (state.phase === 'rows' || state.phase === 'balances') {
    const name = state.phase === 'rows' ? 'postings' : 'balances';
    const ids = (await tx.db.collection<{ _id: string }>(name).find({ _id: { $gt: state.after } }, { ...s(tx), projection: { _id: 1 } }).sort({ _id: 1 }).limit(DELETE_CHUNK).toArray()).map((d) => d._id);
    if (ids.length) await tx.db.collection<{ _id: string }>(name).deleteMany({ _id: { $in: ids } }, s(tx));
    if (ids.length === DELETE_CHUNK) return { ...state, after: ids[ids.length - 1]! };
    return state.phase === 'rows' ? { ...state, phase: 'balances', after: '' } : { ...state, phase: 'replay', after: '' };
  }
  const journal = col(tx.db, 'journal');
  const entries: JournalEntry[] = state.book ? await journal.find({ book: state.book, height: { $gt: state.height } }, s(tx)).sort({ book: 1, height: 1 }).limit(REPLAY_CHUNK).toArray() : [];
  if (entries.length < REPLAY_CHUNK) entries.push(...(await journal.find({ book: { $gt: state.book } }, s(tx)).sort({ book: 1, height: 1 }).limit(REPLAY_CHUNK - entries.length).toArray()));
  let done = 0;
  for (const entry of entries) {
    // each chained posting writes its row and its balance; keep room for the schema document
    const writes = 2 * entry.postings.filter((p) => chained(p.account)).length;
    if (done > 0 && tx.docsWritten() + writes > MAX_TX_DOCS - 10) break;
    // as post() does: credits before debits
    const order = [...entry.postings.keys()].sort((a, b) => Number(entry.postings[a]!.amount < 0) - Number(entry.postings[b]!.amount < 0));
    for (const i of order) if (chained(entry.postings[i]!.account)) await applyPosting(tx, entry, i, { guard: false, at: new Date(entry.at) });
    done++;
  }
  if (done === entries.length && entries.length < REPLAY_CHUNK) return null;
  const last = entries[done - 1]!;
  return { ...state, book: last.book, height: last.height };
}
