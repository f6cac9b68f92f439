import cloud from 'wx-server-sdk';
import { MongoClient } from 'mongodb';
import { invoke } from '../app/invoke';
import type { CloudFunction } from '../runtime/handler';
import { makeDeps, openStore, parseAdmins } from '../app/deps';
import { wechatWx } from '../app/wechat-wx';
import type { AppDeps } from '../runtime/context';

/**
 * The entry of every WeChat cloud function (bundled per function by scripts/build-functions.mjs).
 * Identity and the call's SOURCE come only from cloud.getWXContext(); the clock is the real
 * one (x-now exists only in the local gateway). Data lives in the MongoDB replica set at
 * MONGODB_URI (a cloud function's disk is not durable, so the embedded engine is not used here).
 */

cloud.init({ env: (cloud as unknown as { DYNAMIC_CURRENT_ENV: string }).DYNAMIC_CURRENT_ENV });

let deps: Promise<AppDeps> | null = null;

async function connect(): Promise<AppDeps> {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set for this cloud function (set it in the function configuration)');
  const store = await openStore({ client: await new MongoClient(uri, { maxPoolSize: 5 }).connect() });
  return makeDeps(store, wechatWx(cloud), { adminOpenids: parseAdmins(process.env.ADMIN_OPENIDS) });
}

/** Events without an action: the pay callback (payNotify) and the timer trigger (daily). */
const DEFAULT_ACTION: Record<string, string> = { payNotify: 'notify', daily: 'run' };

export function createMain(name: string, fn: CloudFunction, connectDeps: () => Promise<AppDeps> = connect) {
  return async (event: Record<string, unknown>) => {
    deps ??= connectDeps().catch((err) => {
      deps = null; // retry the connection on the next call
      throw err;
    });
    const ctx = cloud.getWXContext() as { OPENID?: string; SOURCE?: string };
    // The SOURCE decides what a call may do (pay callback, timer); it comes from WeChat's context only,
    // never from the event, which any client can fill.
    const source = ctx.SOURCE || null;
    const isTimer = source === 'wx_trigger';
    const withAction = typeof event?.action === 'string' ? event : isTimer ? { action: DEFAULT_ACTION[name] } : { ...event, action: DEFAULT_ACTION[name] };
    const result = await invoke(fn, withAction, await deps, { openid: ctx.OPENID || null, source, now: new Date() });
    if (name !== 'payNotify') return result;
    // WeChat Pay wants { errcode: 0 } once the notification is handled; anything else makes it retry.
    return result.ok ? { errcode: 0, errmsg: 'OK' } : { errcode: 1, errmsg: `${result.error.code}: ${result.error.message}` };
  };
}
