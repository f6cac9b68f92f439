import type { Random } from '../engine/rebate/lottery';
import type { Store } from '../repo/db';
import type { WxPort } from './wx';
import type { Payouts } from './payout';
import type { PassReport as DispatchReport } from '../services/outbox/dispatch';

/**
 * This instance's side of the settler (services/settler): correctness lives in the database
 * (lease, due flags); this only starts passes and waits for them.
 */
export interface SettlerPort {
  /** run a pass here if none runs (resolves when it ends) */
  kick(now: Date): Promise<void>;
  /**
   * After a payment or completion commits: get a settler going without waiting for it. Local:
   * a pass in this process. WeChat: an asynchronous call of the `settle` function (a container
   * is frozen once it answers, and must not be holding the lease then), so payNotify answers first.
   */
  nudge(now: Date): Promise<void>;
  /** before the database closes: no new pass, wait for the one running */
  stop(): Promise<void>;
  /** wait until nothing is due (local mode, after an action that may make lots exit), at most `timeoutMs` */
  waitIdle(now: Date, timeoutMs: number): Promise<boolean>;
  /** wait until the order is settled, at most `timeoutMs`; whether it was */
  waitSettled(orderId: string, now: Date, timeoutMs: number): Promise<boolean>;
  /** run until nothing is due (the daily job, tests) */
  drain(now?: Date, timeoutMs?: number): Promise<void>;
}

/**
 * This instance's side of the outbox (services/outbox/dispatcher.ts): passes of the dispatcher,
 * which claims, sends and records what the outbox holds.
 */
export interface OutboxPort {
  /** after a call's answer: get what it queued on its way without delaying the answer (WeChat: start the outbox function) */
  afterAnswer(now: Date, queued: boolean): Promise<void>;
  /** get a dispatcher going without waiting for it */
  nudge(now: Date): Promise<void>;
  /** one bounded pass here */
  run(now: Date): Promise<DispatchReport>;
  /** passes until nothing is due at `now` (tests, the daily job) */
  drain(now: Date, maxPasses?: number): Promise<DispatchReport>;
  /** before the database closes: no new pass, wait for the one running */
  stop(): Promise<void>;
}

/** what one outbox pass did (the dispatcher's own report) */
export type { DispatchReport };

/** What a cloud function needs from the outside world, created once per process (a WeChat container or the local gateway). */
export interface AppDeps {
  store: Store;
  settler: SettlerPort;
  outbox: OutboxPort;
  /** how withdrawals are paid out: manual always, WeChat Pay 商家转账 when configured */
  payouts: Payouts;
  /** how long a call that shows its effects (order.pay in local mode, order.complete) waits for the settler */
  settleWaitMs: number;
  wx: WxPort;
  random: Random;
  /** OPENIDs of the platform admins (env ADMIN_OPENIDS) */
  adminOpenids: ReadonlySet<string>;
  /** base URL of the h5 client, for local cashier QR codes */
  publicUrl: string;
}

/** Who calls and when: from cloud.getWXContext() in WeChat, from x-openid / x-now in local mode only. */
export interface Caller {
  openid: string | null;
  /** WeChat's SOURCE of the call, e.g. 'wx_client', 'wx_http', 'wx_trigger', 'wx_paycallback' */
  source: string | null;
  now: Date;
}

export interface ActionContext {
  deps: AppDeps;
  caller: Caller;
  now: Date;
  /** true when the caller's OPENID is a platform admin */
  isAdmin: boolean;
}
