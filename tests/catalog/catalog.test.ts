import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES } from '../../server/src/runtime/images';
import { SEARCH_SCAN_MAX } from '../../server/src/services/catalog';
import { MAX_CATEGORIES } from '../../server/src/services/storefront';
import { ADMIN, createTestApp, shop, startTestGateway, type TestApp } from '../helpers/app';
import { gradientPng } from '../support/png';

/**
 * The catalogue (issue 13, item 3) through the public actions and the local gateway: images
 * uploaded to the local store and referenced by products and the banner, categories, search
 * (a bounded scan with a cursor), paging, the cart's refresh, the store page.
 */
let app: TestApp;
let gw: { url: string; close: () => Promise<void> };
let ids: { productId: string; storeId: string; cashierId: string };

beforeAll(async () => {
  app = await createTestApp();
  gw = await startTestGateway(app);
  ids = await shop(app, { priceFen: 10_000, costFen: 4000 });
  await app.call('shopper', 'user', 'login');
});
afterAll(async () => {
  await gw.close();
  await app.close();
});

async function upload(openid: string | null, bytes: Buffer, purpose = 'catalog', contentType = 'image/png') {
  const res = await fetch(`${gw.url}/upload/image?purpose=${purpose}`, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': contentType, ...(openid ? { 'x-openid': openid } : {}) },
  });
  return (await res.json()) as { ok: boolean; data?: { fileId: string; bytes: number; type: string }; error?: { code: string; message: string } };
}

const png = (seed = 0) => gradientPng(40, 30, [200, 240 - seed, 210], [30, 160, 90 + seed]);

describe('images: upload to the local store, served by name only', () => {
  it('an admin uploads a product picture; it is served with its type; the same bytes are one file', async () => {
    const r = await upload(ADMIN, png());
    expect(r).toMatchObject({ ok: true, data: { type: 'image/png' } });
    expect(r.data!.fileId).toMatch(/^\/files\/[a-f0-9]{32}\.png$/);
    expect((await upload(ADMIN, png())).data!.fileId).toBe(r.data!.fileId);
    const got = await fetch(gw.url + r.data!.fileId);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await got.arrayBuffer()).equals(png())).toBe(true);
  });

  it('catalog pictures are for admins and approved merchants; avatars for any signed-in shopper; nobody without an identity', async () => {
    expect((await upload('merchant', png(1))).ok).toBe(true);
    expect((await upload('shopper', png(2))).error?.code).toBe('FORBIDDEN');
    expect((await upload('shopper', png(2), 'avatar')).ok).toBe(true);
    expect((await upload(null, png(3), 'avatar')).error?.code).toBe('FORBIDDEN');
    expect((await upload('never-signed-in', png(3), 'avatar')).error?.code).toBe('FORBIDDEN');
    expect((await upload(ADMIN, png(3), 'script')).error?.code).toBe('INVALID_INPUT');
  });

  it('refuses what is not a picture by its bytes (whatever the declared type), empty bodies and more than 1 MiB', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    expect(await upload(ADMIN, html, 'catalog', 'image/png')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    expect((await upload(ADMIN, svg, 'catalog', 'image/svg+xml')).error?.code).toBe('INVALID_INPUT');
    expect((await upload(ADMIN, Buffer.alloc(0))).error?.code).toBe('INVALID_INPUT');
    const big = Buffer.concat([png(), Buffer.alloc(MAX_IMAGE_BYTES)]);
    const r = await upload(ADMIN, big);
    expect(r.error?.code).toBe('INVALID_INPUT');
    expect(r.error?.message).toBe('图片不能超过 1 MB');
  });

  it('serves only names the store made: no traversal, no other files', async () => {
    for (const path of ['/files/../package.json', '/files/%2e%2e%2fpackage.json', '/files/..%2F..%2Fetc%2Fpasswd', '/files/abc.png', '/files/' + 'a'.repeat(32) + '.png', '/files/' + 'a'.repeat(32) + '.svg']) {
      const r = await fetch(gw.url + path);
      expect(r.status, path).toBe(404);
    }
  });
});

describe('products with pictures, description and a category', () => {
  it('admin and merchant products carry images (cover first), a description and a category; unknown references are refused', async () => {
    const cover = (await upload(ADMIN, png(10))).data!.fileId;
    const second = (await upload(ADMIN, png(11))).data!.fileId;
    const cat = await app.call(ADMIN, 'admin', 'upsertCategory', { name: '粮油' });
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '五常大米 5kg', description: '当季新米，产地直发', images: [cover, second], categoryId: cat.categoryId, priceFen: 6800, costFen: 3000, stock: 10 });
    expect(p).toMatchObject({ imageUrl: cover, images: [cover, second], description: '当季新米，产地直发', categoryId: cat.categoryId });
    const view = await app.call('shopper', 'mall', 'getProduct', { productId: p.productId });
    expect(view).toMatchObject({ imageUrl: cover, images: [cover, second], categoryName: '粮油', store: null });

    // a reference that was never uploaded, and one in a shape no upload makes
    const missing = '/files/' + '0'.repeat(32) + '.png';
    expect(await app.error(ADMIN, 'admin', 'upsertProduct', { name: 'x', images: [missing], priceFen: 100, costFen: 0, stock: 1 })).toBe('INVALID_INPUT');
    expect(await app.error(ADMIN, 'admin', 'upsertProduct', { name: 'x', imageUrl: 'https://evil.example/x.png', priceFen: 100, costFen: 0, stock: 1 })).toBe('INVALID_INPUT');
    expect(await app.error(ADMIN, 'admin', 'upsertProduct', { name: 'x', categoryId: 'K_none', priceFen: 100, costFen: 0, stock: 1 })).toBe('NOT_FOUND');
    expect(await app.error(ADMIN, 'admin', 'upsertProduct', { name: 'x', images: [cover, cover], priceFen: 100, costFen: 0, stock: 1 })).toBe('INVALID_INPUT');

    // saving again without images keeps them; the old imageUrl alone replaces them with one
    const again = await app.call(ADMIN, 'admin', 'upsertProduct', { productId: p.productId, name: '五常大米 5kg', priceFen: 6900, costFen: 3000, stock: 10 });
    expect(again.images).toEqual([cover, second]);
    const one = await app.call(ADMIN, 'admin', 'upsertProduct', { productId: p.productId, name: '五常大米 5kg', imageUrl: second, priceFen: 6900, costFen: 3000, stock: 10 });
    expect(one).toMatchObject({ imageUrl: second, images: [second] });

    const mine = (await upload('merchant', png(12))).data!.fileId;
    const sp = await app.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: ids.storeId, name: '鲜榨橙汁', description: '现点现榨', images: [mine], categoryId: cat.categoryId, priceFen: 1800, costFen: 600, stock: 50 });
    expect(sp).toMatchObject({ images: [mine], categoryId: cat.categoryId, storeId: ids.storeId });
    const spView = await app.call('shopper', 'mall', 'getProduct', { productId: sp.productId });
    expect(spView.store).toMatchObject({ storeId: ids.storeId, name: '测试门店', open: true });
  });
});

describe('categories', () => {
  it('the operator adds, renames, orders and hides categories; names are unique; shoppers see the listed ones in order', async () => {
    const a = await app.call(ADMIN, 'admin', 'upsertCategory', { name: '茶饮', sort: 5 });
    const b = await app.call(ADMIN, 'admin', 'upsertCategory', { name: '生鲜', sort: 1 });
    expect(await app.error(ADMIN, 'admin', 'upsertCategory', { name: '生鲜' })).toBe('CONFLICT');
    expect(await app.error(ADMIN, 'admin', 'upsertCategory', { name: 'x'.repeat(13) })).toBe('INVALID_INPUT');
    expect(await app.error('shopper', 'admin', 'upsertCategory', { name: '偷加' })).toBe('FORBIDDEN');
    await app.call(ADMIN, 'admin', 'upsertCategory', { categoryId: a.categoryId, name: '茶与饮品' });
    await app.call(ADMIN, 'admin', 'upsertCategory', { categoryId: b.categoryId, name: '生鲜', listed: false });
    const shown = await app.call(null, 'mall', 'listCategories');
    expect(shown.map((c: { name: string }) => c.name)).toContain('茶与饮品');
    expect(shown.map((c: { name: string }) => c.name)).not.toContain('生鲜');
    const sorts = shown.map((c: { sort: number }) => c.sort);
    expect(sorts).toEqual([...sorts].sort((x: number, y: number) => x - y));
    const all = await app.call(ADMIN, 'admin', 'listCategories');
    expect(all.find((c: { name: string }) => c.name === '生鲜')).toMatchObject({ listed: false });
  });

  it(`at most ${MAX_CATEGORIES} categories`, async () => {
    const have = (await app.call(ADMIN, 'admin', 'listCategories')).length;
    for (let i = have; i < MAX_CATEGORIES; i++) await app.call(ADMIN, 'admin', 'upsertCategory', { name: `分类${i}` });
    expect(await app.error(ADMIN, 'admin', 'upsertCategory', { name: '再多一个' })).toBe('LIMIT_REACHED');
  });
});

describe('browsing and search', () => {
  let fresh: TestApp;
  let teaCat: string;
  beforeAll(async () => {
    fresh = await createTestApp();
    await fresh.call(ADMIN, 'user', 'login');
    teaCat = (await fresh.call(ADMIN, 'admin', 'upsertCategory', { name: '茶叶' })).categoryId;
    const names = ['有机大米', '高山绿茶 250g', '土鸡蛋 30枚', 'Green Tea 礼盒', '冷榨山茶油', '红茶 100g'];
    for (const [i, name] of names.entries()) {
      await fresh.call(ADMIN, 'admin', 'upsertProduct', { name, priceFen: 1000 + i, costFen: 0, stock: 5, ...(/茶|Tea/.test(name) && !/油/.test(name) ? { categoryId: teaCat } : {}) }, { now: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
    }
  });
  afterAll(async () => fresh.close());

  it('pages through the listing with a cursor, in listing order, each product once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await fresh.call(null, 'mall', 'listProducts', { limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...r.products.map((p: { name: string }) => p.name));
      cursor = r.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(['有机大米', '高山绿茶 250g', '土鸡蛋 30枚', 'Green Tea 礼盒', '冷榨山茶油', '红茶 100g']);
    expect(await fresh.error(null, 'mall', 'listProducts', { cursor: '../../x' })).toBe('INVALID_INPUT');
  });

  it('filters by category and searches names (words in any order, case and full-width insensitive)', async () => {
    const tea = await fresh.call(null, 'mall', 'listProducts', { categoryId: teaCat });
    expect(tea.products.map((p: { name: string }) => p.name)).toEqual(['高山绿茶 250g', 'Green Tea 礼盒', '红茶 100g']);
    const q = async (text: string, extra: object = {}) => (await fresh.call(null, 'mall', 'listProducts', { q: text, ...extra })).products.map((p: { name: string }) => p.name);
    expect(await q('茶')).toEqual(['高山绿茶 250g', '冷榨山茶油', '红茶 100g']);
    expect(await q('茶', { categoryId: teaCat })).toEqual(['高山绿茶 250g', '红茶 100g']);
    expect(await q('绿茶250G')).toEqual(['高山绿茶 250g']);
    expect(await q('ｇｒｅｅｎ tea')).toEqual(['Green Tea 礼盒']);
    expect(await q('tea 礼盒')).toEqual(['Green Tea 礼盒']);
    expect(await q('咖啡')).toEqual([]);
    expect(await q('.*')).toEqual([]); // no regular expressions: literal text
  });

  it(`a search reads at most ${SEARCH_SCAN_MAX} products per call and continues with the cursor`, async () => {
    const big = await createTestApp();
    try {
      await big.call(ADMIN, 'user', 'login');
      const t0 = Date.UTC(2026, 0, 1);
      for (let i = 0; i < SEARCH_SCAN_MAX + 30; i++) {
        const name = i === 3 || i === SEARCH_SCAN_MAX + 10 ? `稀有普洱 ${i}` : `日用品 ${i}`;
        await big.call(ADMIN, 'admin', 'upsertProduct', { name, priceFen: 100, costFen: 0, stock: 1 }, { now: new Date(t0 + i * 1000) });
      }
      const first = await big.call(null, 'mall', 'listProducts', { q: '普洱', limit: 20 });
      expect(first.products.map((p: { name: string }) => p.name)).toEqual(['稀有普洱 3']);
      expect(first.scanned).toBe(SEARCH_SCAN_MAX);
      expect(first.nextCursor).toBeTruthy();
      const second = await big.call(null, 'mall', 'listProducts', { q: '普洱', limit: 20, cursor: first.nextCursor });
      expect(second.products.map((p: { name: string }) => p.name)).toEqual([`稀有普洱 ${SEARCH_SCAN_MAX + 10}`]);
      expect(second.nextCursor).toBeNull();
      // a full page stops the scan where the page filled
      const page = await big.call(null, 'mall', 'listProducts', { q: '日用品', limit: 3 });
      expect(page.products.map((p: { name: string }) => p.name)).toEqual(['日用品 0', '日用品 1', '日用品 2']);
      expect(page.scanned).toBe(3);
    } finally {
      await big.close();
    }
  }, 120_000);

  it('getProducts refreshes a cart: current price and stock, unlisted marked, unknown ids left out', async () => {
    const { products } = await fresh.call(null, 'mall', 'listProducts', { limit: 2 });
    const [p1, p2] = products;
    await fresh.call(ADMIN, 'admin', 'upsertProduct', { productId: p2.productId, name: p2.name, priceFen: 999, costFen: 0, stock: 0, listed: false });
    const got = await fresh.call(null, 'mall', 'getProducts', { productIds: [p1.productId, p2.productId, 'P_none'] });
    expect(got.map((p: { productId: string }) => p.productId)).toEqual([p1.productId, p2.productId]);
    expect(got[1]).toMatchObject({ priceFen: 999, stock: 0, listed: false });
  });
});

describe('the home banner and the store page', () => {
  it('the operator sets slides with uploaded images and links; a link to a delisted product leads nowhere', async () => {
    const img = (await upload(ADMIN, png(20))).data!.fileId;
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '横幅商品', priceFen: 100, costFen: 0, stock: 1 });
    const banners = [
      { imageUrl: img, title: '新米上市', link: { kind: 'product', id: p.productId } },
      { imageUrl: img, title: '门店', link: { kind: 'store', id: ids.storeId } },
    ];
    expect(await app.call(ADMIN, 'admin', 'setBanners', { banners })).toHaveLength(2);
    const home = await app.call(null, 'mall', 'home');
    expect(home.banners).toEqual(banners);
    expect(home.stores).toEqual([{ storeId: ids.storeId, name: '测试门店' }]);

    expect(await app.error(ADMIN, 'admin', 'setBanners', { banners: [{ imageUrl: '/files/' + '1'.repeat(32) + '.png', title: 'x', link: { kind: 'none' } }] })).toBe('INVALID_INPUT');
    expect(await app.error(ADMIN, 'admin', 'setBanners', { banners: [{ imageUrl: img, title: 'x', link: { kind: 'product', id: 'P_none' } }] })).toBe('NOT_FOUND');
    expect(await app.error(ADMIN, 'admin', 'setBanners', { banners: Array(6).fill(banners[0]) })).toBe('INVALID_INPUT');
    expect(await app.error('merchant', 'admin', 'setBanners', { banners })).toBe('FORBIDDEN');

    await app.call(ADMIN, 'admin', 'upsertProduct', { productId: p.productId, name: '横幅商品', priceFen: 100, costFen: 0, stock: 1, listed: false });
    expect((await app.call(null, 'mall', 'home')).banners[0].link).toEqual({ kind: 'none' });
    expect((await app.call(ADMIN, 'admin', 'getBanners'))[0].link).toEqual({ kind: 'product', id: p.productId });
  });

  it('a store page shows an approved store; others are not found', async () => {
    expect(await app.call(null, 'mall', 'getStore', { storeId: ids.storeId })).toEqual({ storeId: ids.storeId, name: '测试门店' });
    await app.call('pending-owner', 'user', 'login');
    const pending = await app.call('pending-owner', 'merchant', 'applyStore', { name: '未开业' });
    expect(await app.error(null, 'mall', 'getStore', { storeId: pending.storeId })).toBe('NOT_FOUND');
  });
});
