import { MESSAGE_KINDS, MESSAGE_TITLES, type MessageKind } from '../engine/messages/kinds';
import { col, s, type Tx } from '../repo/db';
import type { UserDoc } from '../repo/documents';
import { loadConfig } from './config';

/**
 * What a shopper agreed to receive (订阅消息). WeChat's subscriptions are one-time: each "accept"
 * in wx.requestSubscribeMessage allows one message of that template. The client asks at natural
 * moments (after paying, on the queue page, before withdrawing) and reports the answers here; we
 * keep per kind how many are left and the last answer, to show on 我的. WeChat keeps its own
 * count and is the authority: a send without one is refused (43101) and skipped by the outbox.
 */

/** More accepts than this are not counted (WeChat's own limit is per template and not public). */
const MAX_REMAINING = 50;

/** The kinds whose template the operator configured: what the client may ask for. */
export async function subscriptionView(tx: Tx, user: UserDoc) {
  const config = await loadConfig(tx);
  return {
    kinds: MESSAGE_KINDS.filter((k) => config.messages[k].templateId).map((k) => ({
      kind: k,
      title: MESSAGE_TITLES[k],
      templateId: config.messages[k].templateId,
      remaining: user.subscriptions?.[k]?.remaining ?? 0,
      last: user.subscriptions?.[k]?.last ?? null,
      at: user.subscriptions?.[k]?.at ?? null,
    })),
  };
}

/** Record wx.requestSubscribeMessage's answers ({ [templateId]: 'accept' | 'reject' | 'ban' | 'filter' }). */
export async function recordSubscriptions(tx: Tx, user: UserDoc, results: Record<string, string>) {
  const config = await loadConfig(tx);
  const set: Record<string, unknown> = {};
  const inc: Record<string, number> = {};
  const recorded: MessageKind[] = [];
  for (const k of MESSAGE_KINDS) {
    const id = config.messages[k].templateId;
    const answer = id ? results[id] : undefined;
    if (answer !== 'accept' && answer !== 'reject' && answer !== 'ban' && answer !== 'filter') continue;
    recorded.push(k);
    set[`subscriptions.${k}.last`] = answer;
    set[`subscriptions.${k}.at`] = tx.now;
    const remaining = user.subscriptions?.[k]?.remaining ?? 0;
    if (answer === 'accept' && remaining < MAX_REMAINING) inc[`subscriptions.${k}.remaining`] = 1;
    else if (user.subscriptions?.[k] === undefined) set[`subscriptions.${k}.remaining`] = 0;
  }
  if (recorded.length) await col(tx.db, 'users').updateOne({ _id: user._id }, { $set: set, ...(Object.keys(inc).length ? { $inc: inc } : {}) }, s(tx));
  const fresh = (await col(tx.db, 'users').findOne({ _id: user._id }, s(tx)))!;
  return { recorded, ...(await subscriptionView(tx, fresh)) };
}
