/** Start the real local gateway (`server/src/gateway/main.ts`) as a separate process, and talk to it over HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface GatewayProc {
  url: string;
  port: number;
  child: ChildProcess;
  /** ms from spawn until /health answered */
  startMs: number;
  output: () => string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export async function startGateway(opts: { dataDir: string; port?: number; admins?: string; env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number }): Promise<GatewayProc> {
  const port = opts.port ?? (await freePort());
  const t0 = Date.now();
  let out = '';
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: opts.dataDir, SEED: 'none', ADMIN_OPENIDS: opts.admins ?? 'bench-admin', ...opts.env };
  delete env.MONGODB_URI; // always the embedded engine in DATA_DIR
  delete env.DB_NAME;
  delete env.BENCH_OUT;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'server/src/gateway/main.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited (${child.exitCode}): ${out}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const startMs = Date.now() - t0;
  return {
    url,
    port,
    child,
    startMs,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Peak resident memory (VmHWM) and current (VmRSS) of a process, in MB (Linux). */
export function procMemoryMB(pid: number): { peakMB: number; rssMB: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { peakMB: Math.round(kb('VmHWM') / 1024), rssMB: Math.round(kb('VmRSS') / 1024) };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** POST /api/<fn> { action, ...params } as `openid`; resolves with the parsed body. */
export function api(url: string, openid: string | null, fn: string, action: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<any> {
  const body = JSON.stringify({ action, ...params });
  return rawPost(`${url}/api/${fn}`, body, { ...(openid ? { 'x-openid': openid } : {}), ...headers }).then((r) => r.body);
}

export function rawPost(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function must(p: Promise<any>): Promise<any> {
  const r = await p;
  if (!r?.ok) throw new Error(`call failed: ${JSON.stringify(r).slice(0, 300)}`);
  return r.data;
}

/** admin + approved store + cashier, through the gateway */
export async function gatewayShop(url: string, admin = 'bench-admin') {
  await must(api(url, admin, 'user', 'login'));
  await must(api(url, 'bench-merchant', 'user', 'login'));
  const st = await must(api(url, 'bench-merchant', 'merchant', 'applyStore', { name: '压测门店' }));
  await must(api(url, admin, 'admin', 'approveStore', { storeId: st.storeId, approve: true, commissionBp: 2000 }));
  const c = await must(api(url, 'bench-merchant', 'merchant', 'createCashier', { storeId: st.storeId, name: '1号收银台' }));
  return { storeId: st.storeId as string, cashierId: c.cashierId as string };
}
