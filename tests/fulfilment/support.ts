import { expect } from 'vitest';
import { col } from '../../server/src/repo/db';
import { ADMIN, edgeApp, edgeShop, type Edge } from '../edges/support';

export { ADMIN, edgeApp, edgeShop, type Edge };

export const ADDRESS = { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园一路 1 号 101' };
export const DAY = 86_400_000;

/** A store product of the shop's store (for store orders). */
export async function storeProduct(e: Edge, storeId: string) {
  return (await e.call('merchant', 'merchant', 'upsertStoreProduct', { storeId, name: '门店商品', priceFen: 10_000, costFen: 0, stock: 100 })).productId as string;
}

/** Create an order with a delivery method, pay it at (fake) WeChat Pay, deliver the notification and let the settler run. */
export async function paidOrder(e: Edge, openid: string, productId: string, delivery: Record<string, unknown> = { method: 'express', address: ADDRESS }, note = '') {
  await e.call(openid, 'user', 'login');
  const o = await e.call(openid, 'order', 'create', { lines: [{ productId, qty: 1 }], delivery, ...(note ? { note } : {}) });
  const pay = await e.call(openid, 'order', 'pay', { orderId: o.orderId });
  expect(pay.payment?.package).toBeTruthy();
  expect(await e.notify(e.wx.pay(o.orderId))).toMatchObject({ ok: true, data: { errcode: 0 } });
  await e.app.settled(e.clock.now);
  return e.call(openid, 'order', 'get', { orderId: o.orderId });
}

/** The outbox documents of a kind. */
export const outboxOf = (e: Edge, kind: string) => col(e.app.deps.store.db, 'outbox').find({ kind }).toArray();

export async function ledgerHolds(e: Edge) {
  const report = await e.app.verify();
  expect(report.problems).toEqual([]);
  return report;
}
