import cloud from 'wx-server-sdk';
import { MongoClient, type MongoClientOptions } from 'mongodb';
import { afterAnswer, invoke } from '../app/invoke';
import { lazyWechatTransferPayout, wechatpayFromEnv } from '../app/payouts/wechat-transfer';
import type { CloudFunction } from '../runtime/handler';
import { makeDeps, openStore, parseAdmins } from '../app/deps';
import { wechatWx } from '../app/wechat-wx';
import type { AppDeps } from '../runtime/context';
import { AppError, type Result } from '../runtime/errors';
import { toErrorResult } from '../runtime/handler';
import { readSchema } from '../repo/schema';

/**
 * The entry of every WeChat cloud function (bundled per function by scripts/build-functions.mjs).
 * Identity and the call's SOURCE come only from cloud.getWXContext(); the clock is the real
 * one (x-now exists only in the local gateway). Data lives in the MongoDB replica set at
 * MONGODB_URI (a cloud function's disk is not durable, so the embedded engine is not used here).
 */

cloud.init({ env: (cloud as unknown as { DYNAMIC_CURRENT_ENV: string }).DYNAMIC_CURRENT_ENV });

/**
 * Driver options for a cloud function. A container serves one call at a time, is frozen between
 * calls (for minutes, its sockets possibly dropped by the network meanwhile) and is killed at its
 * timeout (at most 60 s, cloudfunctions/<name>/config.json). So every wait is bounded well inside
 * one call, and a connection that sat idle across a freeze is replaced rather than trusted:
 *  - serverSelectionTimeoutMS 5 s: fail the call with a clear error instead of spending the
 *    driver's default 30 s (half the budget) looking for a primary;
 *  - connectTimeoutMS 5 s: one TCP + TLS handshake;
 *  - socketTimeoutMS 20 s: longer than any single operation here (every transaction and every
 *    verifyLedger or setup step is bounded to a few seconds), shorter than the function timeout,
 *    so a socket that died while the container was frozen fails the operation (and the driver
 *    retries reads/writes once on a fresh connection) instead of hanging until WeChat kills us;
 *  - maxIdleTimeMS 30 s: pooled connections idle longer (i.e. across a freeze) are closed when next
 *    checked out instead of reused;
 *  - maxPoolSize 5: one call at a time needs few; many containers share the server's connection limit.
 */
export const CLOUD_CLIENT_OPTIONS: MongoClientOptions = {
  serverSelectionTimeoutMS: 5_000,
  connectTimeoutMS: 5_000,
  socketTimeoutMS: 20_000,
  maxIdleTimeMS: 30_000,
  maxPoolSize: 5,
  minPoolSize: 0,
  retryReads: true,
  retryWrites: true,
  appName: 'queue-rebate',
};

async function connect(): Promise<AppDeps> {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set for this cloud function (set it in the function configuration)');
  const client = new MongoClient(uri, CLOUD_CLIENT_OPTIONS);
  try {
    await client.connect();
    // a cold start only reads the schema version; it never creates indexes (npm run db:setup / admin.setupDatabase do)
    const store = await openStore({ client, setup: 'check' });
    // WeChat Pay 商家转账 when its keys are set (README: deploy); manual payouts always
    const wechatpay = wechatpayFromEnv(process.env);
    return makeDeps(store, wechatWx(cloud), {
      adminOpenids: parseAdmins(process.env.ADMIN_OPENIDS),
      settler: { trigger: () => startFunction('settle') },
      outbox: { trigger: () => startFunction('outbox') },
      payouts: { wechat: wechatpay ? lazyWechatTransferPayout(wechatpay) : null },
    });
  } catch (err) {
    // a failed cold start must not leave a client (sockets, monitor timers) behind in the container
    await client.close().catch(() => undefined);
    throw err;
  }
}

/** The actions a function serves while its database is older than its code: the setup step (functions/admin.ts). */
const SETUP_ACTIONS: Record<string, ReadonlySet<string>> = { admin: new Set(['setupDatabase']), daily: new Set(['setupDatabase']) };

/**
 * Start the `settle` or `outbox` function without waiting for it to finish: the request only has
 * to be on its way before this function answers (a container is frozen after its answer). If it
 * is lost, that function's timer trigger sweeps within a minute.
 */
function startFunction(name: 'settle' | 'outbox'): Promise<void> {
  const call = (cloud.callFunction({ name, data: { action: 'run' } }) as Promise<unknown>).catch((err) => console.error(`${name} call failed`, err));
  return Promise.race([call.then(() => undefined), new Promise<void>((r) => setTimeout(r, 150))]);
}

/** Events without an action: the pay and refund callbacks and the timer triggers. */
const DEFAULT_ACTION: Record<string, string> = { payNotify: 'notify', refundNotify: 'notify', daily: 'run', settle: 'run', outbox: 'run' };

/** Timer triggers that run another action than their function's default (by the trigger's name, scripts/build-functions.mjs). */
const TRIGGER_ACTION: Record<string, string> = { 'reconcile-1000': 'reconcile' };

/** Functions that answer WeChat Pay: { errcode: 0 } when handled, anything else makes it retry. */
const PAY_CALLBACKS = new Set(['payNotify', 'refundNotify']);

/**
 * While the database is older than the code, only the setup action runs. The status is read
 * again on such a call (one read), so containers unblock as soon as any of them ran the setup.
 */
async function schemaRefusal(name: string, action: unknown, d: AppDeps): Promise<Result<never> | null> {
  const store = d.store;
  if (!store.schema || store.schema.ok) return null;
  if (typeof action === 'string' && SETUP_ACTIONS[name]?.has(action)) return null;
  store.schema = await readSchema(store.db);
  if (store.schema.ok) return null;
  console.error(`refusing ${name}.${String(action)}: ${store.schema.message}`);
  return toErrorResult(new AppError('INTERNAL', store.schema.message ?? '数据库版本与代码不一致'));
}

export function createMain(name: string, fn: CloudFunction, connectDeps: () => Promise<AppDeps> = connect) {
  // one connection per container (each function's bundle calls createMain once), made on the first call
  let deps: Promise<AppDeps> | null = null;
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
    const timerAction = isTimer ? (TRIGGER_ACTION[String(event?.TriggerName ?? event?.triggerName ?? '')] ?? DEFAULT_ACTION[name]) : undefined;
    const withAction = typeof event?.action === 'string' ? event : isTimer ? { action: timerAction } : { ...event, action: DEFAULT_ACTION[name] };
    const d = await deps;
    const caller = { openid: ctx.OPENID || null, source, now: new Date() };
    const refused = await schemaRefusal(name, withAction.action, d);
    const { result, queued } = refused ? { result: refused, queued: false } : await invoke(fn, withAction, d, caller);
    // before returning (the container is frozen after it): start the outbox function if this call queued anything
    await afterAnswer(d, caller, queued);
    if (!PAY_CALLBACKS.has(name)) return result;
    // WeChat Pay wants { errcode: 0 } once the notification is handled; anything else makes it retry.
    return result.ok ? { errcode: 0, errmsg: 'OK' } : { errcode: 1, errmsg: `${result.error.code}: ${result.error.message}` };
  };
}
