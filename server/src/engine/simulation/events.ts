import type { ExchangeTarget } from '../../../../shared/contract';
import { BP_ONE } from '../../money/units';
import type { EntryDoc, GreenLotDoc, OrderDoc } from '../../repo/documents';
import type { PluginConfig } from '../config/types';
import { burn, exitPriceKey, lotAfterTake, mint, takeFromLots, type GreenState } from '../green/pool';
import { drawEffect, drawOpen, redrawLottery } from '../rebate/lottery';
import { exchangeAmount } from '../rebate/rules';
import { DocBudget } from '../settlement/budget';
import { GreenBook } from '../settlement/green-book';
import { emptyWrites } from '../settlement/plan';
import { EXIT_STEP_CANDIDATES } from '../settlement/work';
import { planStaticRelease } from '../union/union';
import type { World } from './world';

/**
 * The changes to queues and pools that happen outside settlement, replayed on the World. Each
 * mirrors its service (named in its comment) and uses the same engine functions; a recorded
 * event that the configuration being tried makes impossible (the entry is already being paid,
 * the shopper holds fewer points) is skipped and counted, as the service would have refused it.
 */

/** Close a pending entry, writing off its unpaid remainder (services/rebate.ts closeEntry, resets in settler/steps.ts). */
function closeEntry(world: World, e: EntryDoc, status: 'cancelled' | 'expired' | 'exchanged', at: Date): number {
  const left = e.entitlementFen - e.receivedFen;
  e.status = status;
  e.closedAt = at;
  const q = world.queues.get(e.queueKey)!;
  q.doc.pendingFen -= left;
  q.doc.pendingCount -= 1;
  return left;
}

/** 抽奖 (services/rebate.ts drawForEntry): the recorded roll, rescaled to the lottery rule the entry has under this configuration. */
export function applyDraw(world: World, orderId: string, lineIndex: number, recorded: { roll: number; rollRange: number }, at: Date): boolean {
  const e = world.entriesByLine.get(`${orderId}|${lineIndex}`);
  if (!e || drawOpen(e) !== 'open') return false;
  const lottery = e.lottery!;
  const outcome = redrawLottery(lottery.rule, recorded);
  const { entitlementFen, deltaFen, completes } = drawEffect(e, outcome.ratioBp);
  Object.assign(e, { ratioBp: outcome.ratioBp, ratioRule: 'lottery', ratioSource: lottery.source, entitlementFen, lottery: { ...lottery, drawnBp: outcome.ratioBp, drawnAt: at } });
  const q = world.queues.get(e.queueKey)!;
  q.doc.pendingFen += deltaFen;
  if (completes) {
    Object.assign(e, { status: 'completed', closedAt: at });
    q.doc.pendingCount -= 1;
  }
  return true;
}

/** 兑换 (services/rebate.ts exchangeEntry): the unpaid remainder leaves the queue, if this configuration offers the target. */
export function applyExchange(world: World, config: PluginConfig, orderId: string, lineIndex: number, to: ExchangeTarget, at: Date): boolean {
  const e = world.entriesByLine.get(`${orderId}|${lineIndex}`);
  if (!e || e.status !== 'pending') return false;
  const remainingFen = e.entitlementFen - e.receivedFen;
  const amount = exchangeAmount(remainingFen, to, config);
  if (amount === null) return false;
  closeEntry(world, e, 'exchanged', at);
  e.exchanged = { to, amount, remainingFen };
  return true;
}

/** 队列奖励清零 (settler/steps.ts resetChunk): every pending entry created before the instant expires, the unloaded ones with them. */
export function applyReset(world: World, instant: Date, at: Date): number {
  let fen = 0;
  for (const q of world.queues.values()) {
    for (let i = q.from; i < q.entries.length; i++) {
      const e = q.entries[i]!;
      if (e.status === 'pending' && e.createdAt.getTime() < instant.getTime()) fen += closeEntry(world, e, 'expired', at);
    }
    // unloaded entries are all older than the period, hence than any reset instant in it
    q.doc.pendingFen -= q.unloaded.fen;
    q.doc.pendingCount -= q.unloaded.count;
    fen += q.unloaded.fen;
    q.unloaded = { count: 0, fen: 0 };
  }
  return fen;
}

/**
 * 静态释放 (settler/steps.ts releaseChunk): eligible pending union entries in seq order, each paid
 * in full while the pool can; the first the pool cannot pay stops the release. The settler does
 * it in chunks that continue where the last stopped: one pass here is the same walk.
 */
export function applyRelease(world: World, day: string, at: Date, paid: (userId: string, fen: number) => void): number {
  const entries = world.unionEntries;
  while (world.unionFrom < entries.length && entries[world.unionFrom]!.status !== 'pending') world.unionFrom++;
  const eligible = (function* () {
    for (let i = world.unionFrom; i < entries.length; i++) {
      const e = entries[i]!;
      if (world.unionUnloaded.count > 0 && e.seq > world.unionCutoffSeq) throw new Error('invariant: a union release reached entries the replay did not load (the load bound is wrong)');
      if (e.status === 'pending' && e.eligibleDay <= day) yield e;
    }
  })();
  const list: typeof entries = [];
  const plan = planStaticRelease(world.union.poolFen, (function* () {
    for (const e of eligible) {
      list.push(e);
      yield { id: e._id, remainingFen: e.entitlementFen - e.receivedFen };
    }
  })());
  let fen = 0;
  for (const [i, p] of plan.paid.entries()) {
    const e = list[i]!;
    Object.assign(e, { receivedFen: e.entitlementFen, status: 'completed', closedAt: at });
    paid(e.userId, p.amountFen);
    fen += p.amountFen;
  }
  Object.assign(world.union, {
    poolFen: world.union.poolFen - fen,
    pendingFen: world.union.pendingFen - fen,
    releasedFen: world.union.releasedFen + fen,
    pendingCount: world.union.pendingCount - plan.paid.length,
  });
  return fen;
}

/** The green pool after a change outside settlement (services/green.ts saveGreen): state and version. */
function setGreen(world: World, config: PluginConfig, next: GreenState, paidOutFen: number): void {
  const g = world.greenState(config);
  world.green = { ...g, ...next, paidOutFen: g.paidOutFen + paidOutFen, version: (g.version ?? 0) + 1 };
}

/** Take units from a shopper's active lots, oldest first (services/green.ts takeUnits); null when they hold fewer. */
function takeUnits(world: World, config: PluginConfig, userId: string, units: number) {
  const lots = (world.lotsByUser.get(userId) ?? []).filter((l) => l.status === 'active');
  if (lots.reduce((a, l) => a + l.units, 0) < units) return null;
  const takes = takeFromLots(lots, units);
  for (const t of takes) {
    const lot = world.lots.get(t.lotId)!;
    world.updateLot(lot, lotAfterTake(lot, t, config.green.exitMultipleBp));
  }
  return takes;
}

/** 提现 of green points (services/green.ts withdrawGreen): burned at the price, paid less the fee; the fee stays. */
export function applyGreenWithdraw(world: World, config: PluginConfig, userId: string, units: number): number | null {
  if (!config.green.enabled) return null;
  if (!takeUnits(world, config, userId, units)) return null;
  const r = burn(world.greenPool(config), units, config.green.withdrawFeeBp);
  setGreen(world, config, r.state, r.paidFen);
  return r.paidFen;
}

/** 转赠 (services/green.ts transferGreen): units and their basis move to new lots of the receiver. */
export function applyGreenTransfer(world: World, config: PluginConfig, fromUserId: string, toUserId: string, units: number, at: Date, newId: () => string): boolean {
  if (!config.green.enabled) return false;
  const takes = takeUnits(world, config, fromUserId, units);
  if (!takes) return false;
  for (const t of takes) {
    const lot = { units: t.units, consumptionFen: t.consumptionFen };
    const doc: GreenLotDoc = { _id: newId(), userId: toUserId, orderId: null, ...lot, exitKey: exitPriceKey(lot, config.green.exitMultipleBp), status: 'active', createdAt: at };
    world.addLot(doc);
    world.created.add(doc._id);
  }
  return true;
}

/** Points spent as a deduction (services/green.ts spendGreen): burned without fee, their value leaves the pool for the order. */
export function applyGreenSpend(world: World, config: PluginConfig, userId: string, units: number): { fen: number; basisFen: number } | null {
  if (!config.green.enabled) return null;
  const takes = takeUnits(world, config, userId, units);
  if (!takes) return null;
  const r = burn(world.greenPool(config), units, 0);
  setGreen(world, config, r.state, r.paidFen);
  return { fen: r.paidFen, basisFen: takes.reduce((a, t) => a + t.consumptionFen, 0) };
}

/** A returned green deduction (services/green.ts restoreGreen): its fen go back and are minted at today's price, with the basis they left with. */
export function applyGreenRestore(world: World, config: PluginConfig, order: OrderDoc, spent: { fen: number; basisFen: number }, at: Date): void {
  if (spent.fen === 0) return;
  const r = mint(world.greenPool(config), spent.fen, BP_ONE);
  if (r.units > 0) {
    const lot = { units: r.units, consumptionFen: spent.basisFen };
    const doc: GreenLotDoc = { _id: `lot:${order._id}:returned`, userId: order.userId, orderId: order._id, ...lot, exitKey: exitPriceKey(lot, config.green.exitMultipleBp), status: 'active', createdAt: at };
    world.addLot(doc);
    world.created.add(doc._id);
  }
  setGreen(world, config, r.state, 0);
}

/**
 * 退款 (services/orders.ts refundOrder, the queue and pool parts): the order's pending entries
 * and union entries are cancelled, its green lot is voided (its value stays in the pool).
 */
export function applyRefund(world: World, config: PluginConfig, order: OrderDoc, at: Date): void {
  for (let i = 0; i < order.lines.length; i++) {
    const e = world.entriesByLine.get(`${order._id}|${i}`);
    if (e?.status === 'pending') closeEntry(world, e, 'cancelled', at);
  }
  let fen = 0;
  let count = 0;
  for (let i = 0; i < order.lines.length; i++) {
    const e = world.unionById.get(`${order._id}:${i}`);
    if (e?.status !== 'pending') continue;
    fen += e.entitlementFen - e.receivedFen;
    count++;
    Object.assign(e, { status: 'cancelled', closedAt: at });
  }
  world.union.pendingFen -= fen;
  world.union.pendingCount -= count;
  const lot = world.lots.get(`lot:${order._id}`);
  if (lot && lot.status === 'active' && lot.units > 0) {
    const r = burn(world.greenPool(config), lot.units, BP_ONE); // the whole value is a "fee": nothing leaves the pool
    world.updateLot(lot, { units: 0, consumptionFen: 0, status: 'empty' });
    setGreen(world, config, r.state, 0);
  }
}

/** Completion makes an order's entries payable under the completed-first ordering (services/rebate.ts markOrderEntriesDone). */
export function applyCompletion(world: World, order: OrderDoc): void {
  for (let i = 0; i < order.lines.length; i++) {
    const e = world.entriesByLine.get(`${order._id}|${i}`);
    if (e) e.orderDone = true;
  }
}

/**
 * 出局 after the pool changed outside a batch (settler/steps.ts exitChunk): chunks of the exit
 * cascade, each with the candidates and the document bound the settler would have, until no
 * lot is due. Returns what the exits paid, per shopper.
 */
export function runExitCascade(world: World, config: PluginConfig, at: Date, batchDocs: number, paid: (userId: string, fen: number) => void): { exited: number; paidFen: number } {
  let exited = 0;
  let paidFen = 0;
  if (!config.green.enabled) return { exited, paidFen };
  for (let chunk = 0; ; chunk++) {
    if (chunk > 1_000_000) throw new Error('invariant: the exit cascade does not end');
    const load = world.greenLoad([], config, 0, EXIT_STEP_CANDIDATES);
    const book = new GreenBook(load);
    const w = emptyWrites();
    // (paid at once here, but in the settler's chunks: its exit steps defer the payouts, and an
    // exit takes one document of their budget)
    const r = book.runExits(w, new DocBudget(batchDocs), config.green, at, 0, { chunkAsDeferred: true });
    book.finish(w);
    w.journal.push(...r.journal);
    noteExitPayouts(w.journal, paid);
    world.apply(w);
    exited += r.exited;
    paidFen += r.paidFen;
    if (!r.more) return { exited, paidFen };
  }
}

/** Cash an exit journal paid to each shopper (the CASH:user credits of its entry). */
export function noteExitPayouts(journal: { draft: { type: string; postings: { account: string; amount: number }[] } }[], paid: (userId: string, fen: number) => void): void {
  for (const j of journal) {
    if (j.draft.type !== 'green.exit') continue;
    for (const p of j.draft.postings) {
      const m = /^CASH:user:([^:]+)$/.exec(p.account);
      if (m && p.amount > 0) paid(m[1]!, p.amount);
    }
  }
}
