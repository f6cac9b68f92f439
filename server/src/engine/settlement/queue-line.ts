import type { EntryDoc, QueueDoc } from '../../repo/documents';
import type { QueueSource } from '../rebate/rules';
import type { QueueLoad } from './types';

/**
 * One queue during a batch, in memory: the head loaded from the database (payable entries in
 * seq order), then the entries this batch appends at the tail. Extraction walks the head first;
 * it may walk on into the batch's own new entries only when the database holds nothing payable
 * beyond the loaded head (`more` false) — otherwise the batch must stop and load more.
 */
export class QueueLine {
  readonly key: string;
  /** the queue document as it will be after the batch (working copy) */
  readonly doc: QueueDoc;
  readonly head: EntryDoc[];
  readonly more: boolean;
  readonly tail: EntryDoc[] = [];
  /** head entries before this index are closed: never looked at again */
  private headFrom = 0;
  /** increments of the queue document's counters */
  readonly inc = { pendingFen: 0, pendingCount: 0, paidFen: 0, entryCount: 0 };
  /** set when nextSeq or the random-return group changed */
  seqChanged = false;
  rrChanged = false;
  readonly existed: boolean;

  constructor(key: string, load: QueueLoad, fresh: { name: string; kind: QueueSource['kind']; at: Date }) {
    this.key = key;
    this.existed = load.doc !== null;
    this.doc = load.doc
      ? { ...load.doc }
      : { _id: key, name: fresh.name, kind: fresh.kind, nextSeq: 0, pendingCount: 0, pendingFen: 0, paidFen: 0, entryCount: 0, rr: null, createdAt: fresh.at };
    this.head = load.head.map((e) => ({ ...e }));
    this.more = load.more;
  }

  /**
   * The payable entries in queue order, lazily. `stalled` is set when the loaded head ran out
   * while the database may hold more: the caller must stop and continue in a new batch.
   */
  *payable(excludeOrderId: string, completedFirst: boolean, out: { stalled: boolean }): Generator<EntryDoc> {
    const ok = (e: EntryDoc) => e.status === 'pending' && e.entitlementFen - e.receivedFen > 0 && e.orderId !== excludeOrderId && (!completedFirst || e.orderDone);
    while (this.headFrom < this.head.length && this.head[this.headFrom]!.status !== 'pending') this.headFrom++;
    for (let i = this.headFrom; i < this.head.length; i++) if (ok(this.head[i]!)) yield this.head[i]!;
    if (this.more) {
      out.stalled = true;
      return;
    }
    for (const e of this.tail) if (ok(e)) yield e;
  }

  /** A new entry at the tail: the next seq number. */
  nextSeq(): number {
    this.doc.nextSeq += 1;
    this.seqChanged = true;
    this.inc.entryCount += 1;
    return this.doc.nextSeq;
  }

  append(e: EntryDoc): void {
    this.tail.push(e);
  }
}
