import { BP_ONE, formatYuan, mulDivFloor } from '../../money/units';
import type { PluginConfig } from '../config/types';
import { lotteryExpectedBp } from './replay';
import type { ReplayReport, WaitStats } from './types';

/**
 * Where a setting leads if sales go on as in the period (issue 14, "steady state in plain
 * words"). For a queue the question is simple arithmetic: each ¥1 of sales creates ratio × ¥1
 * of new entitlement (after the ratio chains; a lottery at its expected ratio) and can pay off
 * at most extraction × ¥1 of old entitlement. When the first is larger, what is owed grows with
 * every order, whatever the order volume, and the newest shopper waits longer and longer. The
 * union pool is the same comparison between entitlement and pool inflow; green points are always
 * backed by their pool (price = pool ÷ points), so there the question is how the price moves.
 *
 * Shown to the operator only: figures are estimates from the period's sales, never promises.
 */

export interface GrowthEffect {
  scheme: 'queue' | 'union';
  key: string;
  name: string;
  /** entitlement created per ¥1 of sales, bp (10000 = ¥1.00) */
  createdPerYuanBp: number;
  /** the most paid off per ¥1 of sales, bp */
  paidPerYuanBp: number;
  /** growth per day at the period's sales rate, fen (0 when there were no sales) */
  growthPerDayFen: number;
  /** one sentence naming the effect, for the confirmation before saving */
  text: string;
}

export interface SteadyState {
  /** some outstanding amount grows without bound under this setting */
  grows: boolean;
  effects: GrowthEffect[];
  /** the plain-words summary, sentence by sentence (Simplified Chinese) */
  summary: string[];
}

const yuan = formatYuan;
/** ¥ per ¥1 from bp, rounded for reading (13000 → ¥1.30; 15999 → ¥1.60): a ratio shown, not money paid */
const perYuan = (bp: number) => `¥${(Math.round(bp / 100) / 100).toFixed(2)}`;
const pct = (bp: number) => `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : 1)}%`;
/** part ÷ whole in bp, rounded (for reading; whether something grows is decided on the exact fen sums) */
const ratioBp = (part: number, whole: number) => (whole > 0 ? Math.round((part * BP_ONE) / whole) : 0);

function waitWords(w: WaitStats): string | null {
  if (!w.entries) return null;
  const half = !w.medianDays ? '' : w.medianDays.atLeast ? `过半到期末仍未返完（已等 ${w.medianDays.days} 天以上）` : `一半在 ${w.medianDays.days} 天内返完`;
  const most = !w.p95Days ? '' : w.p95Days.atLeast ? `要返完 95% 需要超过 ${w.p95Days.days} 天` : `95% 在 ${w.p95Days.days} 天内返完`;
  const within = [w.within7Bp, w.within30Bp, w.within90Bp].map((v, i) => (v === null ? null : `${[7, 30, 90][i]} 天内返完 ${pct(v)}`)).filter(Boolean);
  return `期间新排队 ${w.entries} 笔，从付款算起：${[half, most, ...within].filter(Boolean).join('，')}；期末仍有 ${w.waiting} 笔在等待。`;
}

/** The analysis of one replay under `config` over a period of `days` days. */
export function steadyState(report: ReplayReport, config: PluginConfig, days: number): SteadyState {
  const effects: GrowthEffect[] = [];
  const summary: string[] = [];
  const t = report.totals;
  // rates per day over the days that had sales (a store that opened within the period is not slower for it)
  const rateDays = Math.max(1, t.salesDays || days);
  summary.push(
    t.orders
      ? `按此设置重放近 ${days} 天的 ${t.orders} 笔订单（实付 ${yuan(t.salesFen)}）。`
      : `近 ${days} 天没有需要结算的订单，以下只按设置本身判断。`,
  );

  // ---- queues
  if (config.rebate.enabled) {
    const change = t.queueEndFen - t.queueStartFen;
    if (t.orders || t.queueStartFen) {
      summary.push(`排队待返由 ${yuan(t.queueStartFen)} ${change >= 0 ? `增加到 ${yuan(t.queueEndFen)}（+${yuan(change)}）` : `减少到 ${yuan(t.queueEndFen)}（${yuan(change)}）`}，期间返出 ${yuan(t.paidOut.queueFen)}，期末 ${t.queueWaitingEnd} 笔仍在等待。`);
    }
    const w = waitWords(report.waits);
    if (w) summary.push(w);
    const lotteryNote = (created: number, expected: number) => (expected !== created ? '（抽奖按期望比例计）' : '');
    let anySales = false;
    for (const q of report.queues) {
      if (q.salesFen <= 0) continue;
      anySales = true;
      const created = ratioBp(q.expectedCreatedFen, q.salesFen);
      const paid = ratioBp(q.extractableFen, q.salesFen);
      const dailySales = Math.floor(q.salesFen / rateDays);
      if (q.expectedCreatedFen > q.extractableFen) {
        const growthPerDayFen = Math.floor((q.expectedCreatedFen - q.extractableFen) / rateDays);
        const text = `${q.name}：每卖出 ¥1 新增待返 ${perYuan(created)}${lotteryNote(q.createdFen, q.expectedCreatedFen)}，提取最多只能还 ${perYuan(paid)}。待返总额随每笔订单增长、不会自行还清：按近期销售（日均 ${yuan(dailySales)}），约每天增加 ${yuan(growthPerDayFen)}，排在后面的顾客等得越来越久。`;
        effects.push({ scheme: 'queue', key: q.key, name: q.name, createdPerYuanBp: created, paidPerYuanBp: paid, growthPerDayFen, text });
      } else {
        const surplusPerDay = Math.floor((q.extractableFen - q.expectedCreatedFen) / rateDays);
        const clear = q.endFen === 0 ? '期末已无待返' : surplusPerDay > 0 ? `期末待返 ${yuan(q.endFen)} 按近期销售约 ${Math.ceil(q.endFen / surplusPerDay)} 天可还清（估算）` : '新增与可还持平，待返维持在现有水平';
        summary.push(`${q.name}：每卖出 ¥1 新增待返 ${perYuan(created)}${lotteryNote(q.createdFen, q.expectedCreatedFen)}，提取最多可还 ${perYuan(paid)}，待返不会无限增长；${clear}。`);
      }
    }
    if (!anySales) {
      // no sales to weigh: the plugin's own default ratio (a lottery at its expected ratio) against its extraction
      const created = config.rebate.lottery ? lotteryExpectedBp(config.rebate.lottery) : config.rebate.defaultRatioBp;
      const paid = config.rebate.paused ? 0 : config.rebate.extractionBp;
      if (created > paid) {
        const text = `按默认设置，每卖出 ¥1 新增待返 ${perYuan(created)}，提取最多只能还 ${perYuan(paid)}：待返总额会随每笔订单增长、不会自行还清，排在后面的顾客等得越来越久。`;
        effects.push({ scheme: 'queue', key: 'default', name: '默认设置', createdPerYuanBp: created, paidPerYuanBp: paid, growthPerDayFen: 0, text });
      } else summary.push(`按默认设置，每卖出 ¥1 新增待返 ${perYuan(created)}，提取最多可还 ${perYuan(paid)}，待返不会无限增长。`);
    }
    if (config.rebate.paused) summary.push('队列奖励暂停中：不提取、不返还，新的待返照常产生。');
    if (config.rebate.reset.enabled) summary.push('已开启队列奖励清零：到点时未返部分作废（顾客拿不到），待返因此被截断，而不是被还清。');
  }

  // ---- union pool
  const u = report.union;
  if (config.union.enabled) {
    const created = u.salesFen ? ratioBp(u.entitlementCreatedFen, u.salesFen) : config.union.entitlementBp;
    const inflow = u.salesFen ? ratioBp(u.inflowFen, u.salesFen) : 0;
    const grows = u.salesFen ? u.entitlementCreatedFen > u.inflowFen : created > 0;
    const state = `工会奖池 ${yuan(u.startPoolFen)} → ${yuan(u.endPoolFen)}，工会待返 ${yuan(u.startOutstandingFen)} → ${yuan(u.endOutstandingFen)}，期间释放 ${yuan(u.releasedFen)}、加速 ${yuan(u.acceleratedFen)}。`;
    if (grows) {
      const growthPerDayFen = Math.floor((u.entitlementCreatedFen - u.inflowFen) / rateDays);
      const text = `工会排队：每卖出 ¥1 新增工会权益 ${perYuan(created)}，奖池只流入 ${perYuan(inflow)}（利润的 ${pct(config.union.poolShareBp)}）。工会待返随订单增长、奖池付不完${u.salesFen ? `：约每天增加 ${yuan(growthPerDayFen)}` : ''}，锁定期满后仍要排队等奖池。`;
      effects.push({ scheme: 'union', key: 'union', name: '工会排队', createdPerYuanBp: created, paidPerYuanBp: inflow, growthPerDayFen, text });
    } else summary.push(`工会排队：每卖出 ¥1 新增工会权益 ${perYuan(created)}，奖池流入 ${perYuan(inflow)}，可以付清。`);
    summary.push(state);
    const w = waitWords(report.unionWaits);
    if (w) summary.push(`工会${w}`);
  }

  // ---- green points
  const g = report.green;
  if (config.green.enabled) {
    const share = config.green.poolShareBp;
    const minted = mulDivFloor(share, config.green.mintBp, BP_ONE);
    const move = g.startPriceFen > 0 ? ((g.endPriceFen - g.startPriceFen) / g.startPriceFen) * 100 : 0;
    summary.push(
      `绿色积分：每分价格由 ${g.startPriceFen.toFixed(2)} 分变为 ${g.endPriceFen.toFixed(2)} 分（${move >= 0 ? '+' : ''}${move.toFixed(1)}%）。每卖出 ¥1 入池 ${perYuan(share)}，其中 ${perYuan(minted)} 按现价发给顾客；积分总价值始终等于奖池，不欠钱。未发出的部分和提现手续费（${pct(config.green.withdrawFeeBp)}）留在池中，价格随销售上涨；销售停止时价格不再上涨。`,
    );
    if (g.exits || g.withdrawPaidFen) summary.push(`期间出局 ${g.exits} 份、兑付 ${yuan(g.exitPaidFen)}，提现到账 ${yuan(g.withdrawPaidFen)}。`);
  }

  if (effects.length) summary.push(...effects.map((e) => e.text));
  else summary.push('按近期销售，各项待返都不会无限增长。');
  if (t.eventsSkipped) summary.push(`另有 ${t.eventsSkipped} 项记录的操作（抽奖、兑换、提现等）在此设置下不可能发生，重放时略过。`);
  return { grows: effects.length > 0, effects, summary };
}
