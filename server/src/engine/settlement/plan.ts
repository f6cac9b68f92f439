import type { EntryDoc, OrderDoc, SettlementSummary, SettleProgress } from '../../repo/documents';
import { mulBpFloor } from '../../money/units';
import { acct, isChained } from '../ledger/accounts';
import { Movements } from '../ledger/movements';
import { lineRebateRules, type LineRebateRules, type LineScope } from '../rebate/line-rules';
import { resolveRatio, spendQueries, type RatioSource } from '../rebate/ratio';
import { exchangeAmount, insideRewardWindow, pickCashSlots } from '../rebate/rules';
import { runWaterfall, type PayableEntry } from '../rebate/waterfall';
import { shanghaiDay } from '../time';
import { DocBudget, doc } from './budget';
import { DOCS_PER_EXIT, GreenBook } from './green-book';
import { QueueLine } from './queue-line';
import { spendScope } from './work';
import { ACCELERATION_MAX_ENTRIES, addInflow, UnionBook } from './union-book';
import type { BatchInput, BatchPlan, BatchWrites, OrderWork, PlannedMessage, WorkOutcome } from './types';

/**
 * The settlement planner (SPEC §3–§6, §9): a pure function from the loaded state and a batch of
 * due orders, in payment order, to everything the batch writes. For each order, in this order:
 *   1. completion of a cashier payment (face to face),
 *   2. queue-rebate extraction for every line (pays earlier entries in queue order, never this order's own),
 *   3. union pool inflow + union entries, then acceleration to the direct referrer (from the pool),
 *   4. green pool inflow + minted lot, and the forced exits it makes due,
 *   5. new queue entries for the buyer,
 *   6. at completion: one-level commission, recruiter reward, the rest to revenue.
 * Each order is one journal entry in the settler's book. The batch stays within `maxDocs`: it ends
 * before an order that may not fit, and a payout larger than what is left is cut and continues
 * first in the next batch (the order keeps 结算中 until it is done).
 */
export function planBatch(input: BatchInput): BatchPlan {
  return new Planner(input).run();
}

/** Documents one queue payout writes: the entry, and the payee's CASH and QENT balances with a row each. */
const DOCS_PER_PAYOUT = 5;

export function emptyWrites(): BatchWrites {
  return {
    orders: new Map(),
    entryInserts: [],
    entryUpdates: new Map(),
    queues: new Map(),
    unionEntryInserts: [],
    unionEntryUpdates: new Map(),
    unionInc: {},
    unionNextSeq: null,
    green: null,
    greenInc: {},
    greenDays: new Map(),
    lotInserts: [],
    lotUpdates: new Map(),
    counters: new Map(),
    inflows: new Map(),
    userSpend: new Map(),
    userCommission: new Map(),
    journal: [],
    messages: [],
  };
}

/** The revenue account that keeps an order's remainder: the store's for store and cashier orders, the platform's for the mall. */
export const revenueAccount = (order: Pick<OrderDoc, 'storeId'>) => (order.storeId ? acct.storeRevenue(order.storeId) : acct.platformRevenue);

interface CompletedInBatch {
  orderId: string;
  userId: string;
  kind: OrderDoc['kind'];
  storeId: string | null;
  completedAt: Date;
  cashFen: number;
}

class Planner {
  private readonly w = emptyWrites();
  private readonly budget: DocBudget;
  private readonly lines = new Map<string, QueueLine>();
  private readonly union: UnionBook;
  private readonly green: GreenBook;
  private readonly completed: CompletedInBatch[] = [];
  private readonly done: WorkOutcome[] = [];
  private cut: BatchPlan['cut'] = null;
  private greenExitsPending = false;
  /** journal entries caused by the current order, posted right after its own (its lots' exits) */
  private afterOrderEntry: BatchWrites['journal'] = [];

  constructor(private readonly input: BatchInput) {
    this.budget = new DocBudget(input.maxDocs);
    this.union = new UnionBook(input.union);
    this.green = new GreenBook(input.green);
  }

  run(): BatchPlan {
    for (const [i, work] of this.input.works.entries()) {
      if (i > 0 && !this.budget.fits(this.reserveFor(work, true))) break;
      if (!this.work(work)) break;
      if (this.greenExitsPending) break;
    }
    this.finish();
    return { writes: this.w, done: this.done, cut: this.cut, greenExitsPending: this.greenExitsPending, docs: this.budget.used };
  }

  private get config() {
    return this.input.config;
  }

  /**
   * Documents an order may write besides queue payouts (with `payouts`, a few of those too): its
   * own, one entry and counters per line, the union entries and an acceleration, a lot and some
   * exits, the commission. An estimate from above, so a batch never crosses its bound.
   */
  private reserveFor(work: OrderWork, payouts: boolean): number {
    const lines = work.scopes.length;
    const c = this.config;
    const referred = !!this.input.buyers.get(work.order.userId)?.referrerId;
    return (
      // the order, its journal entry, the commission (balance, row, both shoppers' counters) …
      14 +
      lines * 9 +
      (c.union.enabled ? lines + 2 + (referred ? ACCELERATION_MAX_ENTRIES + 2 : 0) : 0) +
      (c.green.enabled ? 6 + 4 * DOCS_PER_EXIT : 0) +
      (payouts ? 2 * DOCS_PER_PAYOUT : 0)
    );
  }

  /** One due order. Returns false when it was cut (the batch ends there). */
  private work(work: OrderWork): boolean {
    const mv = new Movements();
    let order: OrderDoc = { ...work.order };
    const set: Record<string, unknown> = {};
    this.budget.touch(doc.order(order._id));
    if (work.completeNow) {
      order = { ...order, status: 'completed', completedAt: work.at };
      Object.assign(set, { status: 'completed', completedAt: work.at });
      this.w.userSpend.set(order.userId, (this.w.userSpend.get(order.userId) ?? 0) + order.cashFen);
      this.budget.touch(doc.user(order.userId));
      this.completed.push({ orderId: order._id, userId: order.userId, kind: order.kind, storeId: order.storeId, completedAt: work.at, cashFen: order.cashFen });
    }
    let settled = false;
    if (work.settle) {
      const r = this.settle(work, order, mv);
      order = r.order;
      if (r.cut) {
        const progress = r.cut;
        this.cut = { orderId: order._id, progress };
        Object.assign(set, { clearingFen: order.clearingFen, settleProgress: progress });
        this.post(work, order, mv, `order.settle:${order._id}:part${progress.parts}`, 'order.settle');
        this.w.orders.set(order._id, set);
        return false;
      }
      Object.assign(set, { settledAt: work.at, settlement: order.settlement, clearingFen: order.clearingFen, settleProgress: null });
      settled = true;
    }
    let distributed = false;
    if (work.distribute || work.completeNow) {
      order = this.distribute(order, mv);
      Object.assign(set, { settlement: order.settlement, clearingFen: 0, distributedAt: work.at });
      distributed = true;
    }
    this.post(work, order, mv, settled ? `order.settle:${order._id}` : `order.distribute:${order._id}`, settled ? 'order.settle' : 'order.distribute');
    this.w.orders.set(order._id, { ...set, settleDue: false });
    this.done.push({ orderId: order._id, settled, distributed });
    return true;
  }

  /** The order's journal entry (in the settler's book), and the balance and history documents it writes. */
  private post(work: OrderWork, order: OrderDoc, mv: Movements, eventKey: string, type: string): void {
    this.budget.touch(doc.journal(eventKey));
    for (const p of mv.postings) {
      if (!isChained(p.account)) continue;
      this.budget.touch(doc.balance(p.account), doc.posting(eventKey, p.account, p.memo ?? ''));
    }
    this.w.journal.push({ draft: { eventKey, type, postings: mv.postings, refs: { orderId: order._id } }, at: work.at });
    this.w.journal.push(...this.afterOrderEntry.splice(0));
  }

  /** Steps 2–5. A cut leaves the order as it is after what was paid, with where to continue. */
  private settle(work: OrderWork, start: OrderDoc, mv: Movements): { order: OrderDoc; cut: SettleProgress | null } {
    const order = { ...start };
    const c = this.config;
    const at = work.at;
    const progress: SettleProgress = order.settleProgress ? { ...order.settleProgress } : { line: 0, lineExtractedFen: 0, extractedFen: 0, payouts: 0, parts: 0 };
    for (let i = progress.line; i < work.scopes.length; i++) {
      if (i !== progress.line) Object.assign(progress, { line: i, lineExtractedFen: 0 });
      const r = this.extractForLine(work, order, work.scopes[i]!, progress, mv);
      order.clearingFen -= r.fen;
      if (r.cut) {
        progress.parts += 1;
        return { order, cut: progress };
      }
    }

    let clearing = order.clearingFen;
    const union = c.union.enabled ? this.union.onSettle(this.w, this.budget, order, work.scopes, clearing, c, at, mv) : 0;
    clearing -= union;
    const buyer = this.input.buyers.get(order.userId);
    const accelerationFen = c.union.enabled ? this.union.accelerate(this.w, this.budget, order.cashFen, buyer?.referrerId ?? null, c, at, mv) : 0;

    let greenInflowFen = 0;
    let greenUnits = 0;
    if (c.green.enabled) {
      // capped by what is still in the order's clearing account (the compliance guard keeps shares within 100%)
      greenInflowFen = Math.min(mulBpFloor(order.cashFen, c.green.poolShareBp), clearing);
      if (greenInflowFen > 0) {
        greenUnits = this.green.inflow(this.w, this.budget, order, greenInflowFen, c.green.mintBp, c.green.exitMultipleBp, at, mv);
        addInflow(this.w, this.budget, 'pool:green', at, greenInflowFen);
        clearing -= greenInflowFen;
        const exits = this.green.runExits(this.w, this.budget, c.green, at, this.reserveFor(work, false));
        if (exits.more) this.greenExitsPending = true;
        this.afterOrderEntry.push(...exits.journal);
      }
    }

    const entries: string[] = [];
    for (const scope of work.scopes) {
      const id = this.enqueueForLine(work, order, scope, mv);
      if (id) entries.push(id);
    }
    const settlement: SettlementSummary = {
      extractedFen: progress.extractedFen,
      payouts: progress.payouts,
      entries,
      unionInflowFen: union,
      greenInflowFen,
      greenUnits,
      commissionFen: 0,
      recruiterFen: 0,
      accelerationFen,
      revenueFen: 0,
    };
    return { order: { ...order, clearingFen: clearing, settlement, settledAt: at }, cut: null };
  }

  private line(key: string, scope: LineScope, rules: LineRebateRules, at: Date): QueueLine {
    let q = this.lines.get(key);
    if (!q) {
      const load = this.input.queues.get(key);
      if (!load) throw new Error(`invariant: queue ${key} was not loaded for the batch`);
      q = new QueueLine(key, load, { name: rules.queueName, kind: scope.source.kind, at });
      this.lines.set(key, q);
    }
    return q;
  }

  /** 提取: pay the queue's eligible entries from this line's cash, up to what they absorb. */
  private extractForLine(work: OrderWork, order: OrderDoc, scope: LineScope, progress: SettleProgress, mv: Movements): { fen: number; cut: boolean } {
    const c = this.config;
    const rules = lineRebateRules(scope, c);
    if (!rules.enabled || c.rebate.paused) return { fen: 0, cut: false };
    const budgetFen = mulBpFloor(scope.line.cashFen, rules.extractionBp) - progress.lineExtractedFen;
    if (budgetFen <= 0) return { fen: 0, cut: false };
    const q = this.line(rules.queueKey, scope, rules, work.at);
    const reserve = this.reserveFor(work, false);
    const flags = { stalled: false, full: false };
    const head: EntryDoc[] = [];
    const budget = this.budget;
    // lazily: stop at the batch's document bound or where the loaded head ends
    function* payable(): Generator<PayableEntry> {
      for (const e of q.payable(order._id, c.rebate.ordering === 'completedFirst', flags)) {
        if (!budget.fits(DOCS_PER_PAYOUT + reserve)) {
          flags.full = true;
          return;
        }
        head.push(e);
        yield { id: e._id, remainingFen: e.entitlementFen - e.receivedFen };
      }
    }
    const result = runWaterfall(budgetFen, payable());
    let completed = 0;
    const messages: PlannedMessage[] = [];
    for (const [i, p] of result.payouts.entries()) {
      const e = head[i]!;
      const wasFirst = e.receivedFen === 0 && !e.firstPaidAt;
      e.receivedFen += p.amountFen;
      const set: Record<string, unknown> = { receivedFen: e.receivedFen };
      if (wasFirst) Object.assign(set, { firstPaidAt: work.at }), (e.firstPaidAt = work.at);
      if (p.completes) {
        Object.assign(set, { status: 'completed', closedAt: work.at });
        e.status = 'completed';
        e.closedAt = work.at;
        completed++;
      }
      if (!this.w.entryInserts.includes(e)) {
        this.w.entryUpdates.set(e._id, { ...this.w.entryUpdates.get(e._id), ...set });
        this.budget.touch(doc.entry(e._id));
      }
      mv.move(acct.orderClearing(order._id), acct.userCash(e.userId), p.amountFen, c.rebate.name);
      mv.move(acct.userQueueEntitlement(e.userId), acct.queueEntitlementIssuer, p.amountFen, `${c.rebate.name}到账`);
      this.budget.touch(
        doc.balance(acct.userCash(e.userId)),
        doc.posting(order._id, acct.userCash(e.userId), c.rebate.name),
        doc.balance(acct.userQueueEntitlement(e.userId)),
        doc.posting(order._id, acct.userQueueEntitlement(e.userId), `${c.rebate.name}到账`),
      );
      messages.push({ userId: e.userId, kind: p.completes ? 'completed' : 'payout', data: { amount: String(p.amountFen), entryId: e._id, queue: rules.queueName } });
    }
    this.w.messages.push(...messages);
    if (result.extractedFen > 0) {
      q.inc.pendingFen -= result.extractedFen;
      q.inc.paidFen += result.extractedFen;
      q.inc.pendingCount -= completed;
      this.budget.touch(doc.queue(q.key));
      addInflow(this.w, this.budget, `queue:${q.key}`, work.at, result.extractedFen);
    }
    progress.lineExtractedFen += result.extractedFen;
    progress.extractedFen += result.extractedFen;
    progress.payouts += result.payouts.length;
    // cut when the budget was left and entries may still absorb it (not when the queue simply ran dry)
    const cut = result.leftFen > 0 && (flags.full || flags.stalled);
    return { fen: result.extractedFen, cut };
  }

  /** Completed spend of the buyer within `days` before `at`: what the database holds, plus this batch's completions. */
  private spendWithin(order: OrderDoc, scope: LineScope, source: RatioSource, days: number): number {
    const loaded = this.input.buyers.get(order.userId)?.spendFen.get(`${order._id}|${scope.index}|${source}|${days}`) ?? 0;
    const at = order.createdAt.getTime();
    const within = spendScope(scope, source);
    let extra = 0;
    for (const o of this.completed) {
      if (o.userId !== order.userId || o.orderId === order._id) continue;
      const t = o.completedAt.getTime();
      if (t < at - days * 86_400_000 || t > at) continue;
      if ('storeId' in within ? o.storeId !== within.storeId : o.kind !== 'mall') continue;
      extra += o.cashFen;
    }
    return loaded + extra;
  }

  /** Per-person limits: a slot is taken only when every limit of the line allows it. */
  private takeLimitSlot(userId: string, limits: LineRebateRules['limits'], at: Date): boolean {
    const day = shanghaiDay(at);
    const count = (id: string) => this.w.counters.get(id) ?? this.input.counters.get(id) ?? 0;
    for (const { scope, limits: l } of limits) {
      if (l.perDay != null && count(`limit|${userId}|${scope}|${day}`) >= l.perDay) return false;
      if (l.total != null && count(`limit|${userId}|${scope}|total`) >= l.total) return false;
    }
    for (const { scope } of limits) {
      for (const id of [`limit|${userId}|${scope}|${day}`, `limit|${userId}|${scope}|total`]) {
        this.w.counters.set(id, count(id) + 1);
        this.budget.touch(doc.counter(id));
      }
    }
    return true;
  }

  /** 入队: a new entry at the tail of the line's queue (or, by random return, straight to points). Returns its id. */
  private enqueueForLine(work: OrderWork, order: OrderDoc, scope: LineScope, mv: Movements): string | null {
    const c = this.config;
    const rules = lineRebateRules(scope, c);
    if (!rules.enabled) return null;
    if (c.rebate.deductionMode === 'extractOnly' && (order.deduct.points > 0 || order.deduct.love > 0)) return null;
    const orderTime = order.paidAt ?? order.createdAt;
    if (!rules.windows.every((w) => insideRewardWindow(w, orderTime))) return null;
    const spend = new Map<string, number>();
    for (const sq of spendQueries(rules.chain)) spend.set(`${sq.source}|${sq.days}`, this.spendWithin(order, scope, sq.source, sq.days));
    const ratio = resolveRatio(rules.chain, { levelId: order.levelId, spendFen: (src, days) => spend.get(`${src}|${days}`) ?? 0 });
    const entitlementFen = mulBpFloor(scope.line.cashFen, ratio.ratioBp);
    if (entitlementFen === 0 && !ratio.lottery) return null;
    if (!this.takeLimitSlot(order.userId, rules.limits, orderTime)) return null;

    const q = this.line(rules.queueKey, scope, rules, work.at);
    const seq = q.nextSeq();
    this.budget.touch(doc.queue(q.key));
    // 随机返: which slot of the current group this entry takes, and whether that slot gets cash
    let converted = false;
    if (rules.randomReturn.enabled) {
      const size = rules.randomReturn.cashCount + rules.randomReturn.pointsCount;
      let rr = q.doc.rr;
      if (!rr || rr.size !== size || rr.slot >= rr.size) rr = { size, slot: 0, cashSlots: pickCashSlots(rules.randomReturn, this.input.random) };
      converted = !rr.cashSlots.includes(rr.slot);
      q.doc.rr = { ...rr, slot: rr.slot + 1 };
      q.rrChanged = true;
    }
    const entry: EntryDoc = {
      _id: this.input.newId('E'),
      queueKey: rules.queueKey,
      seq,
      userId: order.userId,
      orderId: order._id,
      lineIndex: scope.index,
      source: scope.source,
      baseFen: scope.line.cashFen,
      ratioBp: ratio.ratioBp,
      ratioRule: ratio.rule,
      ratioSource: ratio.source,
      entitlementFen,
      receivedFen: 0,
      status: 'pending',
      orderDone: order.status === 'completed',
      lottery: ratio.lottery && !converted ? { rule: ratio.lottery.rule, source: ratio.lottery.source, drawnBp: null, drawnAt: null } : null,
      convertedToPoints: converted,
      exchanged: null,
      createdAt: work.at,
      firstPaidAt: null,
      closedAt: null,
    };
    if (converted) {
      const points = exchangeAmount(entitlementFen, 'points', c) ?? 0;
      Object.assign(entry, { status: 'completed', closedAt: work.at, exchanged: { to: 'points', amount: points, remainingFen: entitlementFen, account: acct.userPoints(order.userId) } });
      mv.move(acct.pointsIssuer, acct.userPoints(order.userId), points, '随机返积分');
    } else {
      mv.move(acct.queueEntitlementIssuer, acct.userQueueEntitlement(order.userId), entitlementFen, `${c.rebate.name}权益`);
      q.inc.pendingCount += 1;
      q.inc.pendingFen += entitlementFen;
      q.append(entry);
    }
    this.w.entryInserts.push(entry);
    this.budget.touch(doc.entry(entry._id));
    return entry._id;
  }

  /** At completion: one-level commission to the buyer's direct referrer, recruiter reward, the rest to revenue. */
  private distribute(order: OrderDoc, mv: Movements): OrderDoc {
    const c = this.config;
    let clearing = order.clearingFen;
    const referrerId = this.input.buyers.get(order.userId)?.referrerId ?? null;
    let commissionFen = 0;
    if (referrerId && c.referral.commissionBp > 0) {
      commissionFen = Math.min(mulBpFloor(order.cashFen, c.referral.commissionBp), clearing);
      mv.move(acct.orderClearing(order._id), acct.userCash(referrerId), commissionFen, '直推佣金');
      clearing -= commissionFen;
      if (commissionFen > 0) this.countCommission(order.userId, referrerId, commissionFen);
    }
    let recruiterFen = 0;
    const store = order.storeId ? this.storeOf(order) : null;
    if (store?.recruiterId && c.referral.recruiterBp > 0) {
      recruiterFen = Math.min(mulBpFloor(order.cashFen, c.referral.recruiterBp), clearing);
      mv.move(acct.orderClearing(order._id), acct.userCash(store.recruiterId), recruiterFen, '招商奖励');
      clearing -= recruiterFen;
    }
    mv.move(acct.orderClearing(order._id), revenueAccount(order), clearing, '订单收入');
    const settlement = { ...order.settlement!, commissionFen, recruiterFen, revenueFen: clearing };
    return { ...order, settlement, clearingFen: 0 };
  }

  /** The invited-friends page's figures: what the buyer brought, what the referrer earned (one level). */
  private countCommission(buyerId: string, referrerId: string, fen: number): void {
    const add = (userId: string, key: 'broughtFen' | 'earnedFen') => {
      const c = this.w.userCommission.get(userId) ?? { broughtFen: 0, earnedFen: 0 };
      c[key] += fen;
      this.w.userCommission.set(userId, c);
      this.budget.touch(doc.user(userId));
    };
    add(buyerId, 'broughtFen');
    add(referrerId, 'earnedFen');
  }

  private storeOf(order: OrderDoc) {
    const work = this.input.works.find((w) => w.order._id === order._id);
    return work?.scopes.find((s) => s.store)?.store ?? null;
  }

  private finish(): void {
    for (const q of this.lines.values()) {
      const inc = Object.fromEntries(Object.entries(q.inc).filter(([, v]) => v !== 0));
      const set: Record<string, unknown> = {};
      if (q.seqChanged) set.nextSeq = q.doc.nextSeq;
      if (q.rrChanged) set.rr = q.doc.rr;
      if (!q.existed || Object.keys(inc).length || Object.keys(set).length) {
        this.w.queues.set(q.key, { insert: q.existed ? null : q.doc, inc, set });
        this.budget.touch(doc.queue(q.key));
      }
    }
    this.union.finish(this.w);
    this.green.finish(this.w);
  }
}
