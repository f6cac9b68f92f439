import path from 'node:path';
import { existsSync } from 'node:fs';
import { openStore, makeDeps, parseAdmins } from '../app/deps';
import { localWx } from '../app/local-wx';
import { LocalImageStore } from '../app/local-images';
import { createGateway, type GatewayOptions } from './server';
import { DEMO, seedDemo } from './seed';

/**
 * `npm run api`: the local gateway on PORT (8787) with the embedded database in DATA_DIR
 * (.data/) unless MONGODB_URI is set; demo data unless SEED=none. With SERVE_H5=1 it also
 * serves the h5 build (what `npm start` does). Uploaded images go to DATA_DIR/uploads (UPLOAD_DIR).
 */
async function main() {
  const port = Number(process.env.PORT ?? 8787);
  const host = process.env.HOST ?? '127.0.0.1';
  process.env.DATA_DIR ??= '.data';
  const publicUrl = process.env.PUBLIC_URL ?? `http://${host}:${port}`;
  const admins = process.env.ADMIN_OPENIDS ?? DEMO.admin;
  const store = await openStore();
  // uploaded images live beside the data (UPLOAD_DIR to put them elsewhere), served at /files/<name>
  const images = new LocalImageStore(process.env.UPLOAD_DIR ?? path.join(process.env.DATA_DIR!, 'uploads'));
  const deps = makeDeps(store, localWx(publicUrl, images), { adminOpenids: parseAdmins(admins), publicUrl });
  if (process.env.SEED !== 'none' && (await seedDemo(deps))) console.log('demo data loaded (openids: demo-admin, demo-merchant, demo-shopper-a, demo-shopper-b)');

  let serveStatic: GatewayOptions['serveStatic'];
  if (process.env.SERVE_H5 === '1') {
    const { createStaticHandler, DEFAULT_H5_ROOT } = await import('../../../scripts/serve-h5.mjs');
    const root = process.env.H5_ROOT ?? DEFAULT_H5_ROOT;
    if (!existsSync(path.join(root, 'index.html'))) throw new Error(`h5 build not found in ${root}: run npm run build:h5`);
    serveStatic = createStaticHandler(root);
  }
  const server = createGateway(deps, { serveStatic, images });
  // the settle function's timer in WeChat cloud (every minute): settle anything left behind,
  // and apply a scheduled reset or a day's work even when no payment arrives
  const sweep = setInterval(() => void deps.settler.kick(new Date()).catch((err) => console.error('settler sweep failed', err)), 60_000);
  sweep.unref();
  // a restart after a crash: settle what the last process left due (if its lease is still live, the settler looks again when it runs out)
  void deps.settler.kick(new Date()).catch((err) => console.error('settler start failed', err));
  server.listen(port, host, () => {
    console.log(`gateway listening on ${publicUrl} (data: ${process.env.MONGODB_URI ? 'MongoDB' : path.resolve(process.env.DATA_DIR!)}, admins: ${admins})`);
    if (serveStatic) console.log(`open ${publicUrl}/ in a browser`);
  });
  const stop = async () => {
    server.close();
    await deps.settler.stop();
    await deps.outbox.stop();
    await store.client.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
