import type { GreenLotDoc, GreenStateDoc } from '../../repo/documents';
import { acct } from '../ledger/accounts';
import type { JournalDraft } from '../ledger/journal';
import { Movements } from '../ledger/movements';
import { burn, exitPriceKey, lotReachedExit, mint, price, priceKeyUpperBound, type GreenState } from '../green/pool';
import { shanghaiDay } from '../time';
import { DocBudget, doc } from './budget';
import type { BatchWrites, PlannedMessage } from './types';

/** Documents one forced exit writes: the lot, the holder's GREEN and CASH balances and a posting in each history. */
export const DOCS_PER_EXIT = 5;
/** What a run of exits touches once, after its lots: the pool's and the issuer's balance and posting. */
const EXITS_CLOSING_DOCS = 4;
/** The same when the payouts are deferred, and the two exit accounts' balance and posting. */
const DEFERRED_CLOSING_DOCS = 8;
/** Documents one exit writes when its payout is deferred: the lot alone. */
const DOCS_PER_DEFERRED_EXIT = 1;

/**
 * The green pool during a batch, in memory (SPEC §5): inflows mint at the price before them,
 * and after each change the lots that reached their exit multiple are withdrawn at once (fee
 * included), cheapest exit first, re-checking against the rising price — the same cascade as a
 * standalone exit step, but inside the batch, so the next order mints at the price after it.
 */
export class GreenBook {
  state: GreenState;
  private readonly doc: GreenStateDoc;
  private readonly candidates: GreenLotDoc[];
  private readonly completeBelowKey: number;
  inflowFen = 0;
  paidOutFen = 0;
  changed = false;
  private exitRuns = 0;

  constructor(load: { state: GreenStateDoc; candidates: GreenLotDoc[]; completeBelowKey: number }) {
    this.doc = load.state;
    this.state = { poolFen: load.state.poolFen, totalUnits: load.state.totalUnits, lastPriceNum: load.state.lastPriceNum, lastPriceDen: load.state.lastPriceDen };
    this.candidates = load.candidates.map((l) => ({ ...l }));
    this.completeBelowKey = load.completeBelowKey;
  }

  /** Record the day's price after a change (the first change of a day also fixes its opening price). */
  private noteDay(w: BatchWrites, before: GreenState, at: Date): void {
    const day = shanghaiDay(at);
    const p = price(this.state);
    const close = { num: Number(p.num), den: Number(p.den) };
    const prev = w.greenDays.get(day);
    if (prev) prev.close = close;
    else {
      const o = price(before);
      w.greenDays.set(day, { open: { num: Number(o.num), den: Number(o.den) }, close });
    }
    this.changed = true;
  }

  /** An order's inflow: into the pool, `mintBp` of it minted for the buyer as a new lot. */
  inflow(w: BatchWrites, budget: DocBudget, order: { _id: string; userId: string; cashFen: number }, inflowFen: number, mintBp: number, exitMultipleBp: number, at: Date, mv: Movements): number {
    const before = this.state;
    const r = mint(before, inflowFen, mintBp);
    this.state = r.state;
    this.inflowFen += inflowFen;
    mv.move(acct.orderClearing(order._id), acct.greenPool, inflowFen, '绿色积分池注入');
    if (r.units > 0) {
      mv.move(acct.greenIssuer, acct.userGreen(order.userId), r.units, '消费获得绿色积分');
      const lot = { units: r.units, consumptionFen: order.cashFen };
      const doc_: GreenLotDoc = { _id: `lot:${order._id}`, userId: order.userId, orderId: order._id, ...lot, exitKey: exitPriceKey(lot, exitMultipleBp), status: 'active', createdAt: at };
      w.lotInserts.push(doc_);
      this.insertCandidate(doc_);
      budget.touch(doc.lot(doc_._id), doc.balance(acct.userGreen(order.userId)));
    }
    budget.touch(doc.greenState, doc.greenDay(shanghaiDay(at)));
    this.noteDay(w, before, at);
    return r.units;
  }

  private insertCandidate(lot: GreenLotDoc): void {
    let i = this.candidates.length;
    while (i > 0 && this.candidates[i - 1]!.exitKey > lot.exitKey) i--;
    this.candidates.splice(i, 0, lot);
  }

  /**
   * 出局: withdraw every lot that reached its exit value, as far as the budget allows. Returns
   * the exits as one journal draft (or null), and whether more may be due (the budget ran out,
   * or the price passed the lots loaded for this batch).
   *
   * `deferPayouts` (the settler's exit steps): each exit is decided exactly as without it, in the
   * same order and at the same price, and the pool and the price change at once; but what it pays
   * is set aside (pool → CASH:pool:green:exits) and recorded on the lot (`payoutFen`,
   * `payoutPending`), and the holder's GREEN and CASH move later, in a payout step that pays all of
   * a shopper's exits together (services/settler/exit-payouts.ts). An exit then writes one document
   * (its lot) instead of five: in a cascade, a shopper's lots mostly exit in different steps.
   */
  runExits(
    w: BatchWrites,
    budget: DocBudget,
    cfg: { exitMultipleBp: number; withdrawFeeBp: number },
    at: Date,
    reserve: number,
    opts: { deferPayouts?: boolean; chunkAsDeferred?: boolean } = {},
  ): { exited: number; paidFen: number; more: boolean; journal: BatchWrites['journal'] } {
    if (cfg.exitMultipleBp === 0 || this.state.totalUnits === 0) return { exited: 0, paidFen: 0, more: false, journal: [] };
    const defer = opts.deferPayouts === true;
    // (`chunkAsDeferred`: the what-if replay pays at once but stops where the settler's exit step would)
    const asDeferred = defer || opts.chunkAsDeferred === true;
    const perExit = asDeferred ? DOCS_PER_DEFERRED_EXIT : DOCS_PER_EXIT;
    const closing = asDeferred ? DEFERRED_CLOSING_DOCS : EXITS_CLOSING_DOCS;
    let deferredUnits = 0;
    const mv = new Movements();
    const messages: PlannedMessage[] = [];
    let exited = 0;
    let paidFen = 0;
    let firstId = '';
    const before = this.state;
    let progress = true;
    let out = false;
    while (progress && !out) {
      progress = false;
      const bound = priceKeyUpperBound(this.state);
      for (const lot of this.candidates) {
        if (lot.exitKey > bound) break;
        if (lot.status !== 'active' || !lotReachedExit(this.state, lot, cfg.exitMultipleBp)) continue;
        // (+ closing: the pool's and the issuer's documents, and the exit accounts', touched once after the loop)
        if (!budget.fits(perExit + closing + reserve)) {
          out = true;
          break;
        }
        const r = burn(this.state, lot.units, cfg.withdrawFeeBp);
        this.state = r.state;
        const draft = `exits#${this.exitRuns}`;
        if (defer) {
          deferredUnits += lot.units;
          budget.touch(doc.lot(lot._id));
        } else {
          mv.move(acct.userGreen(lot.userId), acct.greenIssuer, lot.units, '绿色积分出局');
          mv.move(acct.greenPool, acct.userCash(lot.userId), r.paidFen, '绿色积分出局到账');
          budget.touch(
            doc.lot(lot._id),
            doc.balance(acct.userCash(lot.userId)),
            doc.balance(acct.userGreen(lot.userId)),
            doc.posting(draft, acct.userCash(lot.userId), '出局'),
            doc.posting(draft, acct.userGreen(lot.userId), '出局'),
          );
        }
        // when and with how many units it left: what a replay of a later period needs to know (admin.simulateConfig)
        const exit = defer
          ? { status: 'exited' as const, units: 0, exitedAt: at, exitedUnits: lot.units, payoutFen: r.paidFen, payoutPending: true as const }
          : { status: 'exited' as const, units: 0, exitedAt: at, exitedUnits: lot.units };
        // A lot minted in this batch is written whole (the candidate is that insert), any other by
        // its change. The candidate itself needs only its new status and units: giving it the new
        // fields as well was the largest allocation of an exit.
        const inserted = w.lotInserts.find((l) => l._id === lot._id);
        if (inserted) Object.assign(inserted, exit);
        else w.lotUpdates.set(lot._id, exit);
        lot.status = 'exited';
        lot.units = 0;
        // (a deferred exit tells its holder when it is paid)
        if (!defer) messages.push({ userId: lot.userId, kind: 'exit', data: { amount: String(r.paidFen), lotId: lot._id } });
        if (exited === 0) firstId = lot._id;
        exited++;
        paidFen += r.paidFen;
        progress = true;
        if (this.state.totalUnits === 0) break;
      }
      if (this.state.totalUnits === 0) break;
    }
    this.exitRuns++;
    if (exited > 0) {
      budget.touch(doc.balance(acct.greenPool), doc.balance(acct.greenIssuer), doc.posting(`exits#${this.exitRuns}`, acct.greenPool, ''), doc.posting(`exits#${this.exitRuns}`, acct.greenIssuer, ''));
      if (defer) {
        // the payouts set aside, the points out of the pool's total (the holders give them up at the payout step)
        budget.touch(doc.balance(acct.greenExitHold), doc.balance(acct.greenExitUnits), doc.posting(`exits#${this.exitRuns}`, acct.greenExitHold, ''), doc.posting(`exits#${this.exitRuns}`, acct.greenExitUnits, ''));
        mv.move(acct.greenPool, acct.greenExitHold, paidFen, '绿色积分出局待到账');
        mv.move(acct.greenExitUnits, acct.greenIssuer, deferredUnits, '绿色积分出局待扣除');
        const inc = this.deferredInc;
        inc.exitHeldFen += paidFen;
        inc.exitPendingUnits += deferredUnits;
        inc.exitPendingCount += exited;
      }
      this.paidOutFen += paidFen;
      this.noteDay(w, before, at);
      w.messages.push(...messages);
    }
    // the exits' entry is posted by the caller: after the entry that minted the lots (a lot may exit in the batch that made it)
    const refs: JournalDraft['refs'] = defer ? { exited, payouts: 'deferred' } : { exited };
    const journal = exited > 0 ? [{ draft: { eventKey: `green.exit:${firstId}`, type: 'green.exit', postings: mv.postings, refs }, at }] : [];
    // Exits raised the price past the lots loaded for this batch: others may have become due.
    const beyond = exited > 0 && this.state.totalUnits > 0 && priceKeyUpperBound(this.state) > this.completeBelowKey;
    return { exited, paidFen, more: out || beyond, journal };
  }

  /** Exits whose payouts were deferred (their totals: green_state's exitHeldFen, exitPendingUnits, exitPendingCount). */
  private readonly deferredInc = { exitHeldFen: 0, exitPendingUnits: 0, exitPendingCount: 0 };

  /** The pool document after the batch, or null when the batch did not touch the pool. */
  finish(w: BatchWrites): void {
    if (!this.changed) return;
    w.green = { ...this.doc, ...this.state };
    w.greenInc = { inflowFen: this.inflowFen, paidOutFen: this.paidOutFen, ...(this.deferredInc.exitPendingCount > 0 ? this.deferredInc : {}) };
  }
}
