import type { PluginConfig } from '../../engine/config/types';
import type { RetryPolicy } from '../../engine/outbox/retry';
import type { Store, Tx } from '../../repo/db';
import type { OutboxDoc } from '../../repo/documents';
import type { Payouts } from '../../runtime/payout';
import type { WxPort } from '../../runtime/wx';

/**
 * An outbox kind: how one kind of message leaves the system. The registry is registry.ts.
 *
 * Adding a kind (e.g. shipping uploads to WeChat's 发货信息管理):
 *  1. write `const shippingKind: OutboxKind = { retry, send, record?, onDead? }` next to the service
 *     that owns the business state (services/shipping.ts): `send` makes the one external call with
 *     the message's `key` as the idempotency key WeChat honours (for shipping: the order number)
 *     and answers what to record; it throws a WxError (runtime/wx.ts) when the call failed, saying
 *     whether a later attempt can help; anything else thrown counts as retryable;
 *  2. `record` writes the business effect of a successful call in the transaction that marks the
 *     message done (so the effect is recorded exactly once, whoever sent it); `onDead` records
 *     what a dead letter means for the business (a refund that WeChat never accepted …);
 *  3. add it to KINDS in registry.ts, and add the WxPort method it calls (and the fake WeChat's,
 *     tests/support/fake-wx.ts);
 *  4. queue it from the business event's transaction: `queueOutbox(tx, userId, 'shipping.upload',
 *     data, { key: orderId })` — the key also makes the message id, so an event cannot queue twice;
 *  5. if the function that dispatches needs an open-API permission, list it for the `outbox`
 *     function in scripts/build-functions.mjs (DISPATCH_PERMISSIONS).
 * The dispatcher does the rest: the claim with a lease, the call after the answer, backoff, the
 * dead-letter state that admins see (admin.outbox) and retry (admin.retryOutbox).
 */

export interface SendContext {
  store: Store;
  wx: WxPort;
  payouts: Payouts;
  /** the dispatcher's clock (the business clock: x-now in local mode) */
  now: Date;
  /** the plugin configuration, read once per dispatch pass */
  config: PluginConfig;
}

export interface SendOutcome {
  /** done: the call succeeded; skipped: nothing was to be sent (no template configured, not subscribed …) */
  status: 'done' | 'skipped';
  /** what to keep of WeChat's answer (shown to admins) */
  result: Record<string, unknown>;
}

export interface OutboxKind {
  retry: RetryPolicy;
  send(ctx: SendContext, msg: OutboxDoc): Promise<SendOutcome>;
  record?(tx: Tx, msg: OutboxDoc, outcome: SendOutcome): Promise<void>;
  onDead?(tx: Tx, msg: OutboxDoc, error: string): Promise<void>;
}
