import http from 'node:http';
import type { AppDeps } from '../runtime/context';
import { callFunction } from '../app/call';
import { ERROR_CODES } from '../runtime/errors';

/**
 * The local gateway (SPEC §8): POST /api/<function> with { action, ... }, GET /health. Local
 * mode only: the caller's OPENID comes from `x-openid`, the clock from `x-now`. The same
 * handlers run as in WeChat cloud.
 */

export const MAX_BODY_BYTES = 64 * 1024;

export interface GatewayOptions {
  /** extra handler for non-API requests (the h5 build); returns true when it answered */
  serveStatic?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'access-control-allow-origin': '*' });
  res.end(text);
}

const fail = (code: keyof typeof ERROR_CODES, message?: string) => ({ ok: false, error: { code, message: message ?? ERROR_CODES[code] } });

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseNow(header: string | string[] | undefined): Date | null | 'invalid' {
  if (header === undefined) return null;
  const v = Array.isArray(header) ? header[0]! : header;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? 'invalid' : d;
}

export function createGateway(deps: AppDeps, opts: GatewayOptions = {}): http.Server {
  return http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type, x-openid, x-now', 'access-control-allow-methods': 'GET, POST' });
        return res.end();
      }
      if (url.pathname === '/health' && req.method === 'GET') return send(res, 200, { ok: true, data: { status: 'up', mode: deps.wx.mode, time: new Date().toISOString() } });
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
      const openid = typeof req.headers['x-openid'] === 'string' && req.headers['x-openid'].trim() ? req.headers['x-openid'].trim().slice(0, 64) : null;
      const result = await callFunction(m[1]!, event, deps, { openid, source: 'wx_client', now: now ?? new Date() });
      send(res, 200, result);
    } catch (err) {
      console.error('gateway error', err);
      if (!res.headersSent) send(res, 500, fail('INTERNAL'));
    }
  });
}
