/**
 * Read concern, write concern and read preference, resolved as driver 6.x does
 * (`utils.resolveOptions`: an operation's own option, else its collection's, else its db's; inside
 * a transaction the operation's read/write concern are ignored and the transaction's apply), and
 * given the meaning they have on a one-member replica set — which is what the engine is:
 *
 * - write concern: `w: 1` and `w: "majority"` are the same (every acknowledged commit is fsynced),
 *   except that a transaction committed with `{ w: 1, j: false }` is acknowledged from memory, as
 *   a server does before its journal commit (engine.ts; plain writes ignore `j: false` and wait).
 *   `w: 0` (unacknowledged) is not implemented: refused loudly outside transactions; a
 *   transaction refuses it like the driver. A numeric `w` above 1 cannot be satisfied by one
 *   member: as on a server, the write is applied and then reported with a write concern error
 *   (`UnsatisfiableWriteConcern`, 100). Tag sets (`w: "<tag>"`) are not implemented.
 * - read concern: every read sees committed data of one member, durable but for commits acknowledged
 *   from memory (`j: false`). Inside a transaction that is what a server does too (it reads its
 *   latest snapshot; a majority commit waits for what it read). A majority read outside a
 *   transaction may see such a commit before a server would (once journaled): a known difference.
 * - read preference: one member is the primary; in a transaction a read must use primary
 *   (driver error otherwise), outside one any mode reads the primary.
 *
 * The values are parsed by the driver's own classes, so every accepted spelling is the driver's.
 */
import { MongoTransactionError, MongoWriteConcernError, ReadConcern, ReadPreference, WriteConcern } from 'mongodb';
import { notImplemented } from './errors';

/** Options a db or collection may carry (defaults for its operations). */
export const CONCERN_OPTIONS = ['readConcern', 'writeConcern', 'readPreference'] as const;

/** Defaults a collection inherits from its db (the embedded client has none of its own). */
export interface Concerns {
  readConcern?: ReadConcern;
  writeConcern?: WriteConcern;
  readPreference?: ReadPreference;
}

/** Parse `{ readConcern, writeConcern, readPreference }` of a db or collection, over its parent's. */
export function concernsOf(options: Record<string, unknown> | undefined, parent: Concerns = {}): Concerns {
  const o = options ?? {};
  const out: Concerns = { ...parent };
  const rc = ReadConcern.fromOptions(o);
  if (rc) out.readConcern = rc;
  const wc = WriteConcern.fromOptions(o);
  if (wc) out.writeConcern = wc;
  const rp = ReadPreference.fromOptions(o);
  if (rp) out.readPreference = rp;
  return out;
}

/** The write concern of an operation outside a transaction (its own, else its collection's). */
export function effectiveWriteConcern(opts: Record<string, unknown>, parent: Concerns): WriteConcern | undefined {
  return WriteConcern.fromOptions(opts) ?? parent.writeConcern;
}

/**
 * Refuse, before writing, what a one-member engine cannot honour: unacknowledged writes, tag
 * sets, and (for many-document writes, whose partial-success reporting is not implemented) a
 * numeric w above 1.
 */
export function checkWriteConcern(wc: WriteConcern | undefined, where: string, many: boolean): void {
  if (!wc || wc.w === undefined) return;
  const w = wc.w;
  if (w === 0) throw notImplemented(`${where} with an unacknowledged write concern (w: 0)`);
  if (typeof w === 'string' && w !== 'majority') throw notImplemented(`${where} with the write concern w: '${w}' (replica set tag sets)`);
  if (typeof w === 'number' && w > 1 && many) throw notImplemented(`${where} with the write concern w: ${w} (more members than the one the engine has)`);
}

/**
 * After a write was applied: the error a one-member replica set reports for a numeric w above 1
 * (the write stays applied, as on a server), or null.
 */
export function unsatisfiedWriteConcern(wc: WriteConcern | undefined, result: Record<string, unknown> = {}): MongoWriteConcernError | null {
  if (!wc || typeof wc.w !== 'number' || wc.w <= 1) return null;
  return new MongoWriteConcernError({
    ...result,
    ok: 1,
    writeConcernError: { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: 'Not enough data-bearing nodes' },
  } as never);
}

/** Transaction options as the driver's Transaction constructor keeps them (w: 0 refused like it). */
export interface TxnOptions {
  readConcern?: ReadConcern;
  writeConcern?: WriteConcern;
  readPreference?: ReadPreference;
  maxCommitTimeMS?: number;
}

export function transactionOptions(options: Record<string, unknown> | undefined, defaults: Record<string, unknown>): TxnOptions {
  const pick = (k: string) => options?.[k] ?? defaults[k];
  const out: TxnOptions = {};
  const wc = WriteConcern.fromOptions({ writeConcern: pick('writeConcern') } as never);
  if (wc) {
    if (wc.w === 0) throw new MongoTransactionError('Transactions do not support unacknowledged write concern');
    out.writeConcern = wc;
  }
  const rc = ReadConcern.fromOptions({ readConcern: pick('readConcern') } as never);
  if (rc) out.readConcern = rc;
  const rp = ReadPreference.fromOptions({ readPreference: pick('readPreference') } as never);
  if (rp) out.readPreference = rp;
  const mct = pick('maxCommitTimeMS');
  if (typeof mct === 'number') out.maxCommitTimeMS = mct;
  return out;
}

/**
 * The driver refuses, before sending anything, a read in a transaction whose read preference
 * (the operation's, else the transaction's, else the collection's) is not primary.
 */
export function checkTransactionReadPreference(opts: Record<string, unknown>, txn: TxnOptions, parent: Concerns): void {
  const rp = ReadPreference.fromOptions({ readPreference: opts.readPreference } as never) ?? txn.readPreference ?? parent.readPreference;
  if (rp && rp.mode !== ReadPreference.PRIMARY) {
    throw new MongoTransactionError(`Read preference in a transaction must be primary, not: ${rp.mode}`);
  }
}
