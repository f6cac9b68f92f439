import { NICKNAME_MAX_CHARS } from '../../../shared/contract';
import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '../db/embedded/errors';
import { AppError } from '../runtime/errors';
import { col, runTransaction, s, type Store, type Tx } from '../repo/db';
import type { UserDoc } from '../repo/documents';
import { newId, newInviteCode } from '../repo/ids';
import type { ImagePurpose } from '../runtime/images';
import { levelFor, loadConfig } from './config';

/**
 * Sign-in. A shopper who opens the mini-program from a share card or an invite code is bound
 * to that referrer once, on first sign-in, and never again; as the new user has no referees
 * yet, binding at creation can never make a cycle.
 */
export async function login(store: Store, openid: string, now: Date, ref: string | undefined): Promise<UserDoc> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await runTransaction(store, now, async (tx) => {
        const existing = await col(tx.db, 'users').findOne({ openid }, s(tx));
        if (existing) return existing; // a later ref never rebinds
        const referrer = ref ? await findByRef(tx, ref) : null;
        const inviteCode = newInviteCode();
        const user: UserDoc = {
          _id: newId('U'),
          openid,
          // WeChat gives no nickname any more (only the shopper's own fill-in, user.updateProfile):
          // a neutral default, never built from the openid
          nickname: `微信用户${inviteCode.slice(0, 4)}`,
          avatarUrl: '',
          inviteCode,
          referrerId: referrer?._id ?? null,
          completedSpendFen: 0,
          createdAt: tx.now,
        };
        await col(tx.db, 'users').insertOne(user, s(tx));
        return user;
      });
    } catch (err) {
      // Two first sign-ins racing (same openid) or an invite-code collision: the unique index decides; read again.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  throw new AppError('CONFLICT');
}

async function findByRef(tx: Tx, ref: string): Promise<UserDoc | null> {
  return (await col(tx.db, 'users').findOne({ inviteCode: ref.toUpperCase() }, s(tx))) ?? (await col(tx.db, 'users').findOne({ _id: ref }, s(tx)));
}

/** The signed-in shopper; actions other than login require a user record. */
export async function requireUser(tx: Tx, openid: string | null): Promise<UserDoc> {
  if (!openid) throw new AppError('FORBIDDEN', '请先登录');
  const user = await col(tx.db, 'users').findOne({ openid }, s(tx));
  if (!user) throw new AppError('FORBIDDEN', '请先登录 (user.login)');
  return user;
}

export async function findUserByOpenid(db: Db, openid: string): Promise<UserDoc | null> {
  return col(db, 'users').findOne({ openid });
}

export async function describeUser(tx: Tx, user: UserDoc, isAdmin: boolean) {
  const config = await loadConfig(tx);
  const level = levelFor(user.completedSpendFen, config.memberLevels);
  const stores = await col(tx.db, 'stores').find({ ownerId: user._id }, s(tx)).toArray();
  const referrer = user.referrerId ? await col(tx.db, 'users').findOne({ _id: user.referrerId }, s(tx)) : null;
  return {
    userId: user._id,
    nickname: user.nickname,
    avatarUrl: user.avatarUrl,
    inviteCode: user.inviteCode,
    referrer: referrer ? { userId: referrer._id, nickname: referrer.nickname } : null,
    level: { id: level.id, name: level.name },
    completedSpendFen: user.completedSpendFen,
    commissionEarnedFen: user.commissionEarnedFen ?? 0,
    roles: { admin: isAdmin, merchant: stores.some((st) => st.status === 'approved') },
    stores: stores.map((st) => ({ storeId: st._id, name: st.name, status: st.status })),
  };
}

/** Others' nicknames as shoppers see them (queue board, invited friends): first and last character only. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0]}**${chars.length > 2 ? chars[chars.length - 1] : ''}`;
}

export { NICKNAME_MAX_CHARS };

/**
 * 昵称 and 头像, from WeChat's own fill-in (`<input type="nickname">`, `<button open-type="chooseAvatar">`)
 * or the h5 form. The nickname is trimmed, 1–20 characters, no control characters; the avatar is
 * an image reference already inspected by the caller (WxPort.inspectImage) or '' to remove it.
 */
export async function updateProfile(tx: Tx, user: UserDoc, input: { nickname?: string; avatarUrl?: string }): Promise<UserDoc> {
  const set: Partial<UserDoc> = {};
  if (input.nickname !== undefined) set.nickname = validNickname(input.nickname);
  if (input.avatarUrl !== undefined) set.avatarUrl = input.avatarUrl;
  if (!Object.keys(set).length) throw new AppError('INVALID_INPUT', '请填写昵称或选择头像');
  set.profileUpdatedAt = tx.now;
  await col(tx.db, 'users').updateOne({ _id: user._id }, { $set: set }, s(tx));
  return { ...user, ...set };
}

export function validNickname(raw: string): string {
  const name = raw.normalize('NFC').trim();
  const chars = [...name];
  // control characters and invisible separators would let a name look empty or like someone else's
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name)) throw new AppError('INVALID_INPUT', '昵称含有不可见字符');
  if (chars.length < 1) throw new AppError('INVALID_INPUT', '昵称不能为空');
  if (chars.length > NICKNAME_MAX_CHARS) throw new AppError('INVALID_INPUT', `昵称最多 ${NICKNAME_MAX_CHARS} 个字`);
  return name;
}

/** Who may upload which image (the local gateway's /upload/image; WeChat checks the same when the reference is saved). */
export async function mayUploadImage(tx: Tx, openid: string, purpose: ImagePurpose, isAdmin: boolean): Promise<void> {
  const user = await requireUser(tx, openid);
  if (purpose === 'avatar' || isAdmin) return;
  const store = await col(tx.db, 'stores').findOne({ ownerId: user._id, status: 'approved' }, s(tx));
  if (!store) throw new AppError('FORBIDDEN', '仅平台管理员和已开通的商家可上传商品图片');
}

export const INVITEES_PAGE_MAX = 50;

/**
 * 我邀请的好友: the shopper's direct referees, newest first, a page at a time (index
 * referrerId + createdAt; `before` is the createdAt/_id of the last one of the previous page),
 * masked nicknames, and the 直推佣金 each one's completed orders brought (one level only).
 */
export async function invitees(tx: Tx, user: UserDoc, opts: { limit: number; before?: { at: Date; id: string } }) {
  const filter: Record<string, unknown> = { referrerId: user._id };
  if (opts.before) filter.createdAt = { $lte: opts.before.at };
  // one extra per friend that joined in the same millisecond as the cursor (skipped below), and one to know if there is more
  const rows = await col(tx.db, 'users')
    .find(filter, { ...s(tx), projection: { nickname: 1, createdAt: 1, commissionBroughtFen: 1, completedSpendFen: 1 } })
    .sort({ createdAt: -1, _id: -1 })
    .limit(opts.limit + 1 + (opts.before ? 20 : 0))
    .toArray();
  const after = opts.before ? rows.filter((r) => r.createdAt.getTime() < opts.before!.at.getTime() || r._id < opts.before!.id) : rows;
  const page = after.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    commissionEarnedFen: user.commissionEarnedFen ?? 0,
    friends: page.map((r) => ({
      // masked, and no avatar: a friend's face would say who it is whatever the name shows
      nickname: maskName(r.nickname),
      joinedAt: r.createdAt,
      commissionFen: r.commissionBroughtFen ?? 0,
      hasOrdered: (r.completedSpendFen ?? 0) > 0,
    })),
    nextCursor: after.length > opts.limit && last ? `${last.createdAt.getTime()}_${last._id}` : null,
  };
}
