import type { Random } from '../engine/rebate/lottery';
import type { Store } from '../repo/db';
import type { WxPort } from './wx';

/** What a cloud function needs from the outside world, created once per process (a WeChat container or the local gateway). */
export interface AppDeps {
  store: Store;
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
