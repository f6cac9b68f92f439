import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AppDeps } from '../runtime/context';
import { callFunction } from '../app/call';
import type { LocalImageStore } from '../app/local-images';
import { AppError, ERROR_CODES } from '../runtime/errors';
import { toErrorResult } from '../runtime/handler';
import { MAX_IMAGE_BYTES, type ImagePurpose, IMAGE_TOO_BIG } from '../runtime/images';
import { runTransaction } from '../repo/db';
import { mayUploadImage } from '../services/users';
import { Admission, CALLBACK_FUNCTIONS } from './admission';

/**
 * The local gateway (SPEC §8): POST /api/<function> with { action, ... }, GET /health. Local
 * mode only: the caller's OPENID comes from `x-openid`, the clock from `x-now`. The same
 * handlers run as in WeChat cloud. With an image store it also stands in for cloud storage:
 * POST /upload/image (the bytes as the body) and GET /files/<name>.
 */

export const MAX_BODY_BYTES = 64 * 1024;

export interface GatewayOptions {
  /** extra handler for non-API requests (the h5 build); returns true when it answered */
  serveStatic?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** local image storage (what cloud storage is in WeChat); without it uploads answer NOT_FOUND */
  images?: LocalImageStore;
  /** API calls run at once; the rest wait, payment callbacks first (admission.ts). Default GATEWAY_CONCURRENCY or 8 */
  concurrency?: number;
  /** slots beyond `concurrency` that only payment callbacks take (admission.ts). Default GATEWAY_CALLBACK_RESERVE or 16 */
  callbackReserve?: number;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'access-control-allow-origin': '*' });
  res.end(text);
}

const fail = (code: keyof typeof ERROR_CODES, message?: string) => ({ ok: false, error: { code, message: message ?? ERROR_CODES[code] } });

function readBytes(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readBody(req: http.IncomingMessage): Promise<string | null> {
  return (await readBytes(req, MAX_BODY_BYTES))?.toString('utf8') ?? null;
}

const PURPOSES: Record<string, ImagePurpose> = { catalog: 'catalog', avatar: 'avatar' };

/**
 * POST /upload/image?purpose=catalog|avatar, the image's bytes as the body (≤ MAX_IMAGE_BYTES),
 * x-openid as for the API. Catalog pictures (products, banner) are for admins and owners of an
 * approved store, avatars for any signed-in shopper. Answers `{ ok, data: { fileId, bytes, type } }`.
 */
async function upload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, deps: AppDeps, images: LocalImageStore, openid: string | null): Promise<void> {
  try {
    const purpose = PURPOSES[url.searchParams.get('purpose') ?? ''];
    if (!purpose) throw new AppError('INVALID_INPUT', 'purpose 须为 catalog 或 avatar');
    if (!openid) throw new AppError('FORBIDDEN', '请先登录');
    const declared = String(req.headers['content-length'] ?? '');
    if (/^\d+$/.test(declared) && Number(declared) > MAX_IMAGE_BYTES) throw new AppError('INVALID_INPUT', IMAGE_TOO_BIG);
    const isAdmin = deps.adminOpenids.has(openid);
    await runTransaction(deps.store, new Date(), (tx) => mayUploadImage(tx, openid, purpose, isAdmin));
    const bytes = await readBytes(req, MAX_IMAGE_BYTES);
    if (bytes === null) throw new AppError('INVALID_INPUT', IMAGE_TOO_BIG);
    send(res, 200, { ok: true, data: await images.save(bytes) });
  } catch (err) {
    // the body may be unread (refused before reading): answer, then drop the connection's rest
    send(res, 200, toErrorResult(err));
    req.resume();
  }
}

/** GET /files/<name>: a stored image, only by a name the store made (LOCAL_IMAGE_NAME), never a path. */
async function serveImage(req: http.IncomingMessage, res: http.ServerResponse, name: string, images: LocalImageStore): Promise<void> {
  const f = await images.file(name);
  if (!f) return send(res, 404, fail('NOT_FOUND', '找不到该图片'));
  res.writeHead(200, {
    'content-type': f.type,
    'content-length': f.bytes,
    'x-content-type-options': 'nosniff',
    // the name is the content's hash: it never changes
    'cache-control': 'public, max-age=31536000, immutable',
    'content-security-policy': "default-src 'none'",
    'access-control-allow-origin': '*',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(f.path).pipe(res);
}

function parseNow(header: string | string[] | undefined): Date | null | 'invalid' {
  if (header === undefined) return null;
  const v = Array.isArray(header) ? header[0]! : header;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? 'invalid' : d;
}

function callerOpenid(req: http.IncomingMessage): string | null {
  const h = req.headers['x-openid'];
  return typeof h === 'string' && h.trim() ? h.trim().slice(0, 64) : null;
}

export function createGateway(deps: AppDeps, opts: GatewayOptions = {}): http.Server {
  const admission = new Admission(opts.concurrency ?? Number(process.env.GATEWAY_CONCURRENCY ?? 8), opts.callbackReserve ?? Number(process.env.GATEWAY_CALLBACK_RESERVE ?? 16));
  return http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type, x-openid, x-now', 'access-control-allow-methods': 'GET, POST' });
        return res.end();
      }
      if (url.pathname === '/health' && req.method === 'GET') return send(res, 200, { ok: true, data: { status: 'up', mode: deps.wx.mode, time: new Date().toISOString() } });
      if (opts.images && url.pathname === '/upload/image' && req.method === 'POST') return await upload(req, res, url, deps, opts.images, callerOpenid(req));
      if (opts.images && url.pathname.startsWith('/files/') && (req.method === 'GET' || req.method === 'HEAD')) return await serveImage(req, res, url.pathname.slice('/files/'.length), opts.images);
      const m = /^\/api\/([A-Za-z]+)$/.exec(url.pathname);
      if (!m) {
        if (opts.serveStatic?.(req, res)) return;
        return send(res, 404, fail('NOT_FOUND', `未知路径 ${url.pathname.slice(0, 60)}`));
      }
      if (req.method !== 'POST') return send(res, 405, fail('INVALID_INPUT', '请使用 POST'));
      const raw = await readBody(req);
      if (raw === null) return send(res, 413, fail('INVALID_INPUT', `请求体超过 ${MAX_BODY_BYTES} 字节`));
      let event: unknown;
      try {
        event = JSON.parse(raw);
      } catch {
        return send(res, 400, fail('INVALID_INPUT', '请求体不是合法的 JSON'));
      }
      const now = parseNow(req.headers['x-now']);
      if (now === 'invalid') return send(res, 400, fail('INVALID_INPUT', 'x-now 不是合法的时间'));
      const openid = callerOpenid(req);
      const fn = m[1]!;
      const result = await admission.run(CALLBACK_FUNCTIONS.has(fn) ? 'callback' : 'call', () => callFunction(fn, event, deps, { openid, source: 'wx_client', now: now ?? new Date() }));
      send(res, 200, result);
    } catch (err) {
      console.error('gateway error', err);
      if (!res.headersSent) send(res, 500, fail('INTERNAL'));
    }
  });
}
