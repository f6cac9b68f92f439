import { MESSAGE_KINDS, MESSAGE_PAGES, isMessageKind, messageValues, type MessageKind } from '../../engine/messages/kinds';
import { renderTemplate } from '../../engine/messages/template';
import { MESSAGE_RETRY } from '../../engine/outbox/retry';
import { col, s } from '../../repo/db';
import { WxError } from '../../runtime/wx';
import type { OutboxKind } from './kinds';

/**
 * Subscribe messages (订阅消息): the template and the mapping of our fields to its keys are the
 * operator's settings (PluginConfig.messages); a kind without a template id is skipped. WeChat
 * answers 43101 when the shopper holds no subscription for the template: skipped too, never a dead
 * letter (the shopper said no, nothing is broken). Subscribe messages have no idempotency key at
 * WeChat; a message whose send succeeded but whose record was lost may arrive twice (at-least-once).
 */
function messageKind(kind: MessageKind): OutboxKind {
  return {
    retry: MESSAGE_RETRY,
    async send(ctx, msg) {
      const mapping = ctx.config.messages[kind];
      if (!mapping?.templateId) return { status: 'skipped', result: { reason: '未配置订阅消息模板' } };
      const user = await col(ctx.store.db, 'users').findOne({ _id: msg.userId }, { projection: { openid: 1 } });
      if (!user?.openid) return { status: 'skipped', result: { reason: '用户不存在' } };
      const data = renderTemplate(kind, mapping, messageValues(kind, msg.data, msg.createdAt));
      try {
        await ctx.wx.sendSubscribeMessage({ openid: user.openid, templateId: mapping.templateId, page: MESSAGE_PAGES[kind], data });
      } catch (err) {
        if (err instanceof WxError && err.code === '43101') return { status: 'skipped', result: { reason: '用户未订阅 (43101)' } };
        throw err;
      }
      return { status: 'done', result: { templateId: mapping.templateId, data, ...(ctx.wx.mode === 'local' ? { local: true } : {}) } };
    },
    async record(tx, msg, outcome) {
      if (outcome.status !== 'done') return;
      // one one-time subscription used up (what the shopper sees on 我的)
      await col(tx.db, 'users').updateOne({ _id: msg.userId, [`subscriptions.${kind}.remaining`]: { $gt: 0 } }, { $inc: { [`subscriptions.${kind}.remaining`]: -1 } }, s(tx));
    },
  };
}

export const MESSAGE_OUTBOX_KINDS: Record<MessageKind, OutboxKind> = Object.fromEntries(MESSAGE_KINDS.map((k) => [k, messageKind(k)])) as Record<MessageKind, OutboxKind>;

export { isMessageKind };
