/**
 * ClientSession: the driver's transaction state machine over an engine transaction.
 *
 * withTransaction mirrors mongodb 6.x (lib/sessions.js): run the callback; a MongoError with the
 * TransientTransactionError label (write conflict, aborted transaction) re-runs the whole
 * callback; a commit error with UnknownTransactionCommitResult retries the commit; anything else
 * aborts and rethrows; non-driver errors (plain Error) abort and rethrow without retry. All
 * within 120 s. It returns the callback's return value (as driver 6.x does). Like the driver,
 * it retries at once, without backoff: the only addition is a macrotask break before a retry (a
 * driver's retry waits for the network anyway), so that a retry loop cannot starve the journal's
 * fsync callback. Code that wants backoff must have it itself (see repo/db.ts runTransaction),
 * so that it behaves the same against a real server.
 */
import {
  ClientSession,
  MongoError,
  MongoErrorLabel,
  MongoExpiredSessionError,
  MongoInvalidArgumentError,
  MongoTransactionError,
} from 'mongodb';
import { transactionOptions, unsatisfiedWriteConcern, type TxnOptions } from './concerns';
import type { Engine } from './engine';
import type { Txn } from './transaction';
import { checkOptions, strict } from './strict';

export type SessionTxnState =
  | 'NO_TRANSACTION'
  | 'STARTING_TRANSACTION'
  | 'TRANSACTION_IN_PROGRESS'
  | 'TRANSACTION_COMMITTED'
  | 'TRANSACTION_COMMITTED_EMPTY'
  | 'TRANSACTION_ABORTED';

const TXN_OPTION_KEYS = ['readConcern', 'writeConcern', 'readPreference', 'maxCommitTimeMS'] as const;
const MAX_WITH_TRANSACTION_MS = 120_000;

export class EmbeddedSession {
  state: SessionTxnState = 'NO_TRANSACTION';
  txn: Txn | null = null;
  hasEnded = false;
  /** options of the current (or last) transaction: startTransaction's over the session defaults */
  txnOptions: TxnOptions = {};
  private defaults: Record<string, unknown>;

  constructor(
    readonly engine: Engine,
    /** identity of the client this session belongs to */
    readonly owner: object,
    options: Record<string, unknown>,
  ) {
    const o = checkOptions<{ defaultTransactionOptions?: Record<string, unknown> }>('MongoClient.startSession', options, [
      'defaultTransactionOptions',
      'causalConsistency',
    ]);
    this.defaults = checkOptions('ClientSession defaultTransactionOptions', o.defaultTransactionOptions, TXN_OPTION_KEYS);
  }

  inTransaction(): boolean {
    return this.state === 'STARTING_TRANSACTION' || this.state === 'TRANSACTION_IN_PROGRESS';
  }

  /**
   * The driver's `session.transaction` (deprecated, but the spec tests read its state): the
   * state and options; nothing is ever pinned on a replica set.
   */
  get transaction(): { state: SessionTxnState; options: TxnOptions; isStarting: boolean; isActive: boolean; isCommitted: boolean; isPinned: boolean } {
    const state = this.state;
    return {
      state,
      options: { ...this.txnOptions },
      isStarting: state === 'STARTING_TRANSACTION',
      isActive: this.inTransaction(),
      isCommitted: state === 'TRANSACTION_COMMITTED' || state === 'TRANSACTION_COMMITTED_EMPTY' || state === 'TRANSACTION_ABORTED',
      isPinned: false,
    };
  }

  /** Pinning to a mongos or a load-balanced connection: never, on a replica set. */
  get isPinned(): boolean {
    return false;
  }

  private assertNotEnded(): void {
    if (this.hasEnded) throw new MongoExpiredSessionError('Cannot use a session that has ended');
  }

  startTransaction(options?: Record<string, unknown>): void {
    this.assertNotEnded();
    checkOptions('ClientSession.startTransaction', options, TXN_OPTION_KEYS);
    if (this.inTransaction()) throw new MongoTransactionError('Transaction already in progress');
    // each option from startTransaction, else from defaultTransactionOptions (w: 0 is refused)
    this.txnOptions = transactionOptions(options, this.defaults);
    this.state = 'STARTING_TRANSACTION';
    this.txn = null;
  }

  /**
   * The engine transaction for an operation of this session, or null when the session is not in
   * a transaction (the operation then auto-commits).
   */
  txnForOp(): Txn | null {
    this.assertNotEnded();
    if (this.state === 'STARTING_TRANSACTION') {
      this.txn = this.engine.begin(false);
      this.state = 'TRANSACTION_IN_PROGRESS';
    }
    if (this.state === 'TRANSACTION_IN_PROGRESS') {
      this.engine.ensureSnapshot(this.txn!); // throws NoSuchTransaction if the engine aborted it
      return this.txn;
    }
    // an operation outside a transaction ends the record of the last one, as the driver does
    // (sessions.js applySession): a later commit/abort then finds "No transaction started"
    this.state = 'NO_TRANSACTION';
    return null;
  }

  async commitTransaction(): Promise<void> {
    this.assertNotEnded();
    switch (this.state) {
      case 'NO_TRANSACTION':
        throw new MongoTransactionError('No transaction started');
      case 'STARTING_TRANSACTION':
      case 'TRANSACTION_COMMITTED_EMPTY':
        this.state = 'TRANSACTION_COMMITTED_EMPTY';
        return;
      case 'TRANSACTION_ABORTED':
        throw new MongoTransactionError('Cannot call commitTransaction after calling abortTransaction');
      case 'TRANSACTION_COMMITTED':
        // a retried commit: the engine transaction's outcome stands
        if (this.txn && this.txn.state === 'committed') return;
        break;
      case 'TRANSACTION_IN_PROGRESS':
        break;
    }
    this.state = 'TRANSACTION_COMMITTED';
    const wc = this.txnOptions.writeConcern;
    await this.engine.commit(this.txn!, wc?.journal === false && (wc.w === undefined || wc.w === 1));
    // committed and durable, but one member cannot satisfy w > 1: reported as a server would
    const unsatisfied = unsatisfiedWriteConcern(this.txnOptions.writeConcern);
    if (unsatisfied) throw unsatisfied;
  }

  async abortTransaction(): Promise<void> {
    this.assertNotEnded();
    switch (this.state) {
      case 'NO_TRANSACTION':
        throw new MongoTransactionError('No transaction started');
      case 'TRANSACTION_COMMITTED':
      case 'TRANSACTION_COMMITTED_EMPTY':
        throw new MongoTransactionError('Cannot call abortTransaction after calling commitTransaction');
      case 'TRANSACTION_ABORTED':
        throw new MongoTransactionError('Cannot call abortTransaction twice');
      case 'STARTING_TRANSACTION':
        this.state = 'TRANSACTION_ABORTED';
        return;
      case 'TRANSACTION_IN_PROGRESS':
        this.state = 'TRANSACTION_ABORTED';
        // (errors from abort are ignored by the driver; the engine abort cannot fail)
        this.engine.abort(this.txn!, 'aborted by the client');
        return;
    }
  }

  async endSession(options?: Record<string, unknown>): Promise<void> {
    checkOptions('ClientSession.endSession', options, ['force', 'forceClear']);
    if (this.hasEnded) return;
    if (this.inTransaction()) await this.abortTransaction();
    this.hasEnded = true;
  }

  async withTransaction<T>(fn: (session: unknown) => Promise<T>, options?: Record<string, unknown>): Promise<T> {
    checkOptions('ClientSession.withTransaction', options, TXN_OPTION_KEYS);
    const startTime = Date.now();
    const self = this.proxy;
    let committed = false;
    let result: T | undefined;
    let attempt = 0;
    while (!committed) {
      this.startTransaction(options);
      try {
        const promise = fn(self);
        if (!promise || typeof (promise as { then?: unknown }).then !== 'function') {
          throw new MongoInvalidArgumentError('Function provided to `withTransaction` must return a Promise');
        }
        result = await promise;
        if (this.state === 'NO_TRANSACTION' || this.state === 'TRANSACTION_COMMITTED' || this.state === 'TRANSACTION_ABORTED') {
          // the callback ended the transaction itself
          return result;
        }
      } catch (fnError) {
        if (!(fnError instanceof MongoError) || fnError instanceof MongoInvalidArgumentError) {
          if (this.inTransaction()) await this.abortTransaction();
          throw fnError;
        }
        if (this.inTransaction()) await this.abortTransaction();
        if (fnError.hasErrorLabel(MongoErrorLabel.TransientTransactionError) && Date.now() - startTime < MAX_WITH_TRANSACTION_MS) {
          await backoff(++attempt);
          continue;
        }
        throw fnError;
      }
      while (!committed) {
        try {
          await this.commitTransaction();
          committed = true;
        } catch (commitError) {
          if (
            commitError instanceof MongoError &&
            commitError.hasErrorLabel(MongoErrorLabel.UnknownTransactionCommitResult) &&
            Date.now() - startTime < MAX_WITH_TRANSACTION_MS
          ) {
            continue;
          }
          if (
            commitError instanceof MongoError &&
            commitError.hasErrorLabel(MongoErrorLabel.TransientTransactionError) &&
            Date.now() - startTime < MAX_WITH_TRANSACTION_MS
          ) {
            await backoff(++attempt);
            break;
          }
          throw commitError;
        }
      }
    }
    return result as T;
  }

  /** The proxied public object (set by the client). */
  proxy: unknown = this;
}

/** No backoff (the driver has none): only yield to the event loop before re-running. */
function backoff(_attempt: number): Promise<void> {
  return new Promise<void>((r) => setImmediate(r));
}

export function wrapSession(s: EmbeddedSession): ClientSession {
  const p = strict(s, 'ClientSession', [ClientSession.prototype]);
  s.proxy = p;
  return p as unknown as ClientSession;
}
