import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '../db/embedded/errors';
import { AppError } from '../runtime/errors';
import { col, runTransaction, s, type Store, type Tx } from '../repo/db';
import type { UserDoc } from '../repo/documents';
import { newId, newInviteCode } from '../repo/ids';
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
        const user: UserDoc = {
          _id: newId('U'),
          openid,
          nickname: `微信用户${openid.slice(-4)}`,
          avatarUrl: '',
          inviteCode: newInviteCode(),
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
    roles: { admin: isAdmin, merchant: stores.some((st) => st.status === 'approved') },
    stores: stores.map((st) => ({ storeId: st._id, name: st.name, status: st.status })),
  };
}
