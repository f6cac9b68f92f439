import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { imageRef } from '../runtime/images';
import { decodeCursor } from '../services/catalog';
import { describeUser, INVITEES_PAGE_MAX, invitees, login, NICKNAME_MAX_CHARS, updateProfile } from '../services/users';
import { requireImages } from './images';
import { asUser, inTx } from './tx';
import { recordSubscriptions, subscriptionView } from '../services/subscriptions';

export const user = {
  /** Sign in; `ref` (invite code or user id from a share card) binds the referrer on first sign-in only. */
  login: action({
    access: 'user',
    params: z.strictObject({ ref: z.string().min(1).max(64).regex(/^[A-Za-z0-9_]+$/).optional() }),
    run: async (ctx, p) => {
      const u = await login(ctx.deps.store, ctx.caller.openid!, ctx.now, p.ref);
      return inTx(ctx, (tx) => describeUser(tx, u, ctx.isAdmin));
    },
  }),
  /** 邀请码: the invite code and a mini-program code opening the mall with scene `r=<inviteCode>` (local: a QR of the h5 link). */
  inviteCard: action({
    access: 'user',
    params: z.strictObject({}),
    run: async (ctx) => {
      const u = await asUser(ctx, async (_tx, user) => user);
      const scene = `r=${u.inviteCode}`;
      return { inviteCode: u.inviteCode, scene, page: 'pages/mall/index', sharePath: `/pages/mall/index?ref=${u.inviteCode}`, codeUrl: await ctx.deps.wx.createMiniCode(scene, 'pages/mall/index') };
    },
  }),
  me: action({
    access: 'user',
    params: z.strictObject({}),
    run: (ctx) => asUser(ctx, (tx, u) => describeUser(tx, u, ctx.isAdmin)),
  }),
  /**
   * 昵称/头像 from WeChat's own fill-in (nickname input, chooseAvatar button) or the h5 form:
   * `nickname` 1–20 characters after trimming, `avatarUrl` an uploaded image ('' removes it).
   */
  updateProfile: action({
    access: 'user',
    // the length is checked in characters by the service (a schema counts UTF-16 units); this bound only stops abuse
    params: z.strictObject({ nickname: z.string().max(NICKNAME_MAX_CHARS * 4).optional(), avatarUrl: imageRef.optional() }),
    run: async (ctx, p) => {
      const current = await asUser(ctx, async (_tx, u) => u);
      if (p.avatarUrl && p.avatarUrl !== current.avatarUrl) await requireImages(ctx, [p.avatarUrl]);
      return asUser(ctx, async (tx, u) => describeUser(tx, await updateProfile(tx, u, p), ctx.isAdmin));
    },
  }),
  /** 我邀请的好友: direct referees (masked), newest first, with the commission each one's completed orders brought. */
  invitees: action({
    access: 'user',
    params: z.strictObject({ cursor: z.string().min(1).max(100).optional(), limit: z.number().int().min(1).max(INVITEES_PAGE_MAX).optional() }),
    run: (ctx, p) =>
      asUser(ctx, (tx, u) => {
        const c = p.cursor ? decodeCursor(p.cursor) : undefined;
        return invitees(tx, u, { limit: p.limit ?? 20, before: c ? { at: new Date(c.at), id: c.id } : undefined });
      }),
  }),
  /** 订阅消息: the kinds the operator configured (template ids to ask for) and what the shopper agreed to. */
  subscriptions: action({
    access: 'user',
    params: z.strictObject({}),
    run: (ctx) => asUser(ctx, (tx, u) => subscriptionView(tx, u)),
  }),
  /** Record wx.requestSubscribeMessage's answers: `results` = { [templateId]: 'accept' | 'reject' | 'ban' | 'filter' }. */
  subscribe: action({
    access: 'user',
    params: z.strictObject({ results: z.record(z.string().max(64).regex(/^[A-Za-z0-9_-]+$/), z.enum(['accept', 'reject', 'ban', 'filter'])).refine((r) => Object.keys(r).length <= 20, '最多 20 个模板') }),
    run: (ctx, p) => asUser(ctx, (tx, u) => recordSubscriptions(tx, u, p.results)),
  }),
} satisfies CloudFunction;
