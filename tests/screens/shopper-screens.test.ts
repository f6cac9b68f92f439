import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { AHEAD_READ_MAX } from '../../server/src/services/queue-views';
import { ADMIN, buy, createTestApp, payAtCashier, shop, startTestGateway, type TestApp } from '../helpers/app';
import { gradientPng } from '../support/png';

/**
 * What the shopper's screens need from the server (issue 13, item 4), through the public actions:
 * the lottery's odds before drawing, the amount ahead in the queue (bounded reads), the queue and
 * union totals, the profile (nickname / avatar), the invited friends and their commission.
 */

describe('profile: nickname and avatar (user.updateProfile)', () => {
  let app: TestApp;
  let gw: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    app = await createTestApp();
    gw = await startTestGateway(app);
  });
  afterAll(async () => {
    await gw.close();
    await app.close();
  });

  it('the default nickname is not made from the openid', async () => {
    const me = await app.call('oXYZ-secret-9876', 'user', 'login');
    expect(me.nickname).toMatch(/^微信用户/);
    expect(me.nickname).not.toContain('9876');
  });

  it('a nickname is trimmed, 1–20 characters (emoji count as one), without invisible characters', async () => {
    await app.call('nick', 'user', 'login');
    expect((await app.call('nick', 'user', 'updateProfile', { nickname: '  小绿  ' })).nickname).toBe('小绿');
    expect((await app.call('nick', 'user', 'updateProfile', { nickname: '🌱'.repeat(20) })).nickname).toBe('🌱'.repeat(20));
    for (const bad of ['', '   ', '一'.repeat(21), 'a\u0000b', 'a\u200bb', 'x\ny']) {
      expect(await app.error('nick', 'user', 'updateProfile', { nickname: bad }), JSON.stringify(bad)).toBe('INVALID_INPUT');
    }
    expect(await app.error('nick', 'user', 'updateProfile', {})).toBe('INVALID_INPUT');
    expect(await app.error(null, 'user', 'updateProfile', { nickname: '匿名' })).toBe('FORBIDDEN');
    expect((await app.call('nick', 'user', 'me')).nickname).toBe('🌱'.repeat(20));
  });

  it('an avatar must be an uploaded image; removing it is allowed', async () => {
    const up = await fetch(`${gw.url}/upload/image?purpose=avatar`, { method: 'POST', body: gradientPng(8, 8, [255, 0, 0], [0, 0, 255]), headers: { 'x-openid': 'nick', 'content-type': 'image/png' } });
    const { data } = (await up.json()) as { data: { fileId: string } };
    expect((await app.call('nick', 'user', 'updateProfile', { avatarUrl: data.fileId })).avatarUrl).toBe(data.fileId);
    expect(await app.error('nick', 'user', 'updateProfile', { avatarUrl: '/files/' + 'f'.repeat(32) + '.jpg' })).toBe('INVALID_INPUT');
    expect(await app.error('nick', 'user', 'updateProfile', { avatarUrl: 'http://x/y.png' })).toBe('INVALID_INPUT');
    expect((await app.call('nick', 'user', 'updateProfile', { avatarUrl: '' })).avatarUrl).toBe('');
  });
});

describe('invited friends and the commission each brought (one level)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
    await app.configure((c) => {
      c.referral.commissionBp = 300;
    });
  });
  afterAll(async () => app.close());

  it('lists direct referees, masked, newest first, with their commission; nothing for the referee’s own referees', async () => {
    const { productId } = await shop(app, { priceFen: 10_000 });
    const a = await app.call('inv-a', 'user', 'login');
    await app.call('inv-b', 'user', 'login', { ref: a.inviteCode });
    await app.call('inv-b', 'user', 'updateProfile', { nickname: '王小明' });
    const b = await app.call('inv-b', 'user', 'me');
    await app.call('inv-c', 'user', 'login', { ref: a.inviteCode }, { now: new Date(Date.now() + 1000) });
    await app.call('inv-d', 'user', 'login', { ref: b.inviteCode }); // A's friend's friend: not A's
    await buy(app, 'inv-b', productId); // completed: 3% of ¥100 to A
    await buy(app, 'inv-b', productId, { complete: false }); // paid, not completed: no commission yet
    await buy(app, 'inv-d', productId); // B gets D's commission, A nothing (one level only)

    const page = await app.call('inv-a', 'user', 'invitees');
    expect(page.friends.map((f: { nickname: string }) => f.nickname)).toEqual([expect.stringMatching(/^微\*\*/), '王**明']);
    expect(page.friends[1]).toMatchObject({ commissionFen: 300, hasOrdered: true });
    expect(page.friends[0]).toMatchObject({ commissionFen: 0, hasOrdered: false });
    expect(page.commissionEarnedFen).toBe(300);
    expect((await app.call('inv-a', 'user', 'me')).commissionEarnedFen).toBe(300);
    expect((await app.call('inv-b', 'user', 'invitees')).friends).toEqual([expect.objectContaining({ commissionFen: 300 })]);

    // paging
    const p1 = await app.call('inv-a', 'user', 'invitees', { limit: 1 });
    expect(p1.friends).toHaveLength(1);
    const p2 = await app.call('inv-a', 'user', 'invitees', { limit: 1, cursor: p1.nextCursor });
    expect(p2.friends[0].nickname).toBe('王**明');
    expect(p2.nextCursor).toBeNull();
    expect((await app.verify()).problems).toEqual([]);
  });
});

describe('queue entries: the lottery explained, the amount ahead, totals', () => {
  let app: TestApp;
  let cashierId: string;
  beforeAll(async () => {
    app = await createTestApp();
    await app.configure((c) => {
      c.rebate.extractionBp = 100; // 1%: the queue stays long
      c.rebate.defaultRatioBp = 13000;
      c.rebate.lottery = { kind: 'fixed', options: [{ ratioBp: 12000, weight: 1 }, { ratioBp: 15000, weight: 3 }] };
      c.rebate.allCashiersQueue = true;
    });
    ({ cashierId } = await shop(app));
  });
  afterAll(async () => app.close());

  it('shows the odds and the entitlement of each outcome before the draw, that it may lower the ratio, and when the right lapses', async () => {
    await payAtCashier(app, 'lot-a', cashierId, 16_800);
    const mine = await app.call('lot-a', 'queue', 'mine');
    const e = mine.entries[0];
    expect(e.ratioBp).toBe(13000);
    expect(e.lottery).toMatchObject({
      available: true,
      lapsesAt: 'firstPayout',
      odds: {
        kind: 'fixed',
        mayLower: true,
        mayRaise: true,
        options: [
          { ratioBp: 12000, chanceBp: 2500, entitlementFen: 20_160 },
          { ratioBp: 15000, chanceBp: 7500, entitlementFen: 25_200 },
        ],
      },
    });
    expect(mine).toMatchObject({ pendingTotalFen: 21_840, pendingCount: 1, deduction: { pointValueFen: 1, loveValueFen: 1 } });
    await app.call('lot-a', 'queue', 'draw', { entryId: e.entryId });
    const after = (await app.call('lot-a', 'queue', 'mine')).entries[0];
    expect(after.lottery.odds).toBeNull();
    expect(after.lottery.available).toBe(false);
  });

  it(`the amount ahead is exact with few entries on one side, an estimate (said so) with more than ${AHEAD_READ_MAX} on both`, async () => {
    const n = 2 * AHEAD_READ_MAX + 30;
    for (let i = 0; i < n; i++) await payAtCashier(app, `q-${i}`, cashierId, 1000 + 37 * i);
    const db = app.deps.store.db;
    const pending = await col(db, 'entries').find({ queueKey: 'cashiers', status: 'pending' }).sort({ seq: 1 }).toArray();
    const truth = (seq: number) => pending.filter((x) => x.seq < seq).reduce((a, x) => a + x.entitlementFen - x.receivedFen, 0);
    const view = async (openid: string) => (await app.call(openid, 'queue', 'mine')).entries[0];

    const head = await view('q-3');
    expect(head).toMatchObject({ aheadExact: true });
    expect(head.aheadFen).toBe(truth(head.seq));
    expect(head.position).toBe(pending.findIndex((x) => x.seq === head.seq) + 1);

    const tail = await view(`q-${n - 5}`);
    expect(tail).toMatchObject({ aheadExact: true, aheadFen: truth(tail.seq) });

    const middle = await view(`q-${AHEAD_READ_MAX + 10}`);
    expect(middle.aheadExact).toBe(false);
    const exact = truth(middle.seq);
    expect(Math.abs(middle.aheadFen - exact) / exact).toBeLessThan(0.1);
  }, 120_000);

  it('an exchanged entry says what it became', async () => {
    const e = (await app.call('q-7', 'queue', 'mine')).entries[0];
    await app.call('q-7', 'queue', 'exchange', { entryId: e.entryId, to: 'points' });
    const x = (await app.call('q-7', 'queue', 'mine')).entries[0];
    expect(x).toMatchObject({ status: 'exchanged', pendingFen: 0, exchanged: { to: 'points', amount: e.pendingFen, remainingFen: e.pendingFen } });
  });
});

describe('union tab: own totals, lock and acceleration', () => {
  it('answers the shopper’s own pending and received, the acceleration rate, and marks accelerated entries', async () => {
    const app = await createTestApp();
    try {
      await app.configure((c) => {
        c.rebate.extractionBp = 2000;
        c.union.enabled = true;
        c.union.poolShareBp = 5000;
        c.union.accelerationBp = 2000;
      });
      const { productId } = await shop(app, { priceFen: 10_000, costFen: 0 });
      const a = await app.call('u-a', 'user', 'login');
      await buy(app, 'u-a', productId, { now: '2026-03-01T02:00:00Z' });
      await app.call('u-b', 'user', 'login', { ref: a.inviteCode });
      await buy(app, 'u-b', productId, { now: '2026-03-02T02:00:00Z' }); // A's entry accelerated by 20% of ¥100
      const u = await app.call('u-a', 'union', 'mine', {}, { now: '2026-03-03T02:00:00Z' });
      expect(u).toMatchObject({ enabled: true, accelerationBp: 2000, defaultLockDays: 15, myPendingFen: 8000, myReceivedFen: 2000 });
      expect(u.entries[0]).toMatchObject({ status: 'pending', eligible: false, receivedFen: 2000, accelerated: true });
      expect((await app.call('u-b', 'union', 'mine', {}, { now: '2026-03-03T02:00:00Z' })).entries[0].accelerated).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('green.state answers the launch price for the chart', async () => {
    const app = await createTestApp();
    try {
      expect((await app.call(null, 'green', 'state')).launchPriceFen).toBe(100);
    } finally {
      await app.close();
    }
  });
});

void ADMIN;
