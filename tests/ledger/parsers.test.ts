/**
 * The ledger's hot helpers were rewritten for speed (the settler calls them for every posting):
 * they must give exactly what the plain versions below gave — the hash of every entry ever
 * written depends on `canonical`, and an account's owner on `userIdOf`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acct, isUserAccount, userIdOf } from '../../server/src/engine/ledger/accounts';
import { canonical, normalizePostings, type Posting } from '../../server/src/engine/ledger/journal';

// the definitions as they were (reference)
const canonicalRef = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalRef).join(',')}]`;
  const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalRef((value as Record<string, unknown>)[k])}`).join(',')}}`;
};
const normalizeRef = (postings: readonly Posting[]): Posting[] => {
  const byAccount = new Map<string, Posting>();
  for (const p of postings) {
    const key = `${p.account}\u0000${p.memo ?? ''}`;
    const prev = byAccount.get(key);
    if (prev) prev.amount += p.amount;
    else byAccount.set(key, { ...p });
  }
  return [...byAccount.values()].filter((p) => p.amount !== 0);
};
const isUserAccountRef = (account: string) => account.split(':')[1] === 'user';
const userIdOfRef = (account: string) => {
  const parts = account.split(':');
  return parts[1] === 'user' ? (parts[2] ?? null) : null;
};

const segment = fc.oneof(fc.constantFrom('user', 'store', 'ext', 'users', 'use', '', 'frozen', 'withdrawing'), fc.string({ maxLength: 6 }));
const accountLike = fc.oneof(
  fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => s.join(':')),
  fc.string(),
  fc.string({ maxLength: 6 }).map((u) => acct.userCash(u)),
  fc.string({ maxLength: 6 }).map((u) => acct.userLoveFrozen(u)),
);

describe('ledger helpers: the same results as before', () => {
  it('isUserAccount and userIdOf agree with the split-based definitions', () => {
    fc.assert(
      fc.property(accountLike, (a) => {
        expect(isUserAccount(a)).toBe(isUserAccountRef(a));
        expect(userIdOf(a)).toBe(userIdOfRef(a));
      }),
      { numRuns: 5000 },
    );
    for (const a of ['CASH:user', 'CASH:user:', 'CASH:user:u1', 'CASH:user:u1:frozen', 'CASH:userx:u1', 'CASH::user', 'user', 'user:u1', 'CASH:store:s1']) {
      expect([a, isUserAccount(a), userIdOf(a)]).toEqual([a, isUserAccountRef(a), userIdOfRef(a)]);
    }
  });

  it('canonical gives the same text (so the same entry hashes) as the map/join definition', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.constant(undefined))), (v, o) => {
        expect(canonical(v)).toBe(canonicalRef(v));
        expect(canonical(o)).toBe(canonicalRef(o));
        expect(canonical({ postings: [o, v], at: 'x' })).toBe(canonicalRef({ postings: [o, v], at: 'x' }));
      }),
      { numRuns: 2000 },
    );
  });

  it('normalizePostings merges lines as the one-map definition did (random lines, repeated accounts and memos)', () => {
    const line = fc.record({ account: fc.constantFrom('CASH:user:a', 'CASH:user:b', 'CASH:pool', 'CASH:store:s'), amount: fc.integer({ min: -50, max: 50 }), memo: fc.option(fc.constantFrom('', 'x', 'y'), { nil: undefined }) }, { requiredKeys: ['account', 'amount'] });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const sum = lines.reduce((a, p) => a + p.amount, 0);
        const balanced = [...lines, { account: 'CASH:ext:wxpay', amount: -sum }];
        expect(normalizePostings(balanced)).toEqual(normalizeRef(balanced));
      }),
      { numRuns: 3000 },
    );
  });

  it('normalizePostings merges per account and memo, in first-seen order, drops zeros and checks balance per asset', () => {
    const p = (account: string, amount: number, memo?: string): Posting => ({ account, amount, ...(memo === undefined ? {} : { memo }) });
    expect(
      normalizePostings([p('CASH:user:a', 5, 'x'), p('CASH:pool', -5), p('CASH:user:a', 3, 'x'), p('CASH:user:a', 2, 'y'), p('CASH:pool', -5), p('CASH:user:b', 0), p('CASH:user:a', 2, ''), p('CASH:pool', -2)]),
    ).toEqual([p('CASH:user:a', 8, 'x'), p('CASH:pool', -12), p('CASH:user:a', 2, 'y'), p('CASH:user:a', 2, '')]);
    // a posting without a memo and one with '' are the same line (as before)
    expect(normalizePostings([p('CASH:user:a', 1), p('CASH:user:a', 1, ''), p('CASH:pool', -2)])).toEqual([p('CASH:user:a', 2), p('CASH:pool', -2)]);
    expect(() => normalizePostings([p('CASH:user:a', 1), p('POINTS:user:a', -1)])).toThrow(/unbalanced/);
    expect(() => normalizePostings([p('NOPE:user:a', 1)])).toThrow(/unknown asset/);
    expect(() => normalizePostings([p('CASH:user:a', 0.5)])).toThrow(/safe integer/);
  });
});
