#!/usr/bin/env node
// `npm start`: build the h5 client, then run the local gateway serving it with demo data on the
// embedded database (DATA_DIR, default .data/). Prints the URL to open.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (process.env.SKIP_BUILD !== '1' || !existsSync(path.join(ROOT, 'client/dist/h5/index.html'))) {
  console.log('building the h5 client (client/dist/h5)…');
  const b = spawnSync(npm, ['run', 'build:h5', '-w', 'client'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/gateway/main.ts'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, SERVE_H5: '1' },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
