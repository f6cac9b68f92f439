/** Bulk-loaded fixtures: N pending entries on one cashier queue, with the queue document and a balancing journal entry. */
import { acct } from '../../server/src/engine/ledger/accounts';
import { col } from '../../server/src/repo/db';
import type { EntryDoc } from '../../server/src/repo/documents';
import { log, type BenchApp } from './app';

export const USERS = 50;
/** each bulk entry waits for ¥50; an order of ¥100 at 10% extraction pays ¥10 */
export const ENTITLEMENT = 5000;
export const ORDER_FEN = 10_000;

export async function bulkLoadQueue(app: BenchApp, queueKey: string, n: number) {
  const db = app.deps.store.db;
  const created = new Date(Date.now() - 86_400_000);
  const BATCH = 20_000;
  const perUser = new Map<string, number>();
  for (let i = 0; i < n; i += BATCH) {
    const docs: EntryDoc[] = [];
    for (let seq = i + 1; seq <= Math.min(n, i + BATCH); seq++) {
      const userId = `UB${seq % USERS}`;
      perUser.set(userId, (perUser.get(userId) ?? 0) + ENTITLEMENT);
      docs.push({
        _id: `EB${seq.toString(36).padStart(8, '0')}`,
        queueKey,
        seq,
        userId,
        orderId: `OB${seq.toString(36)}`,
        lineIndex: 0,
        source: { kind: 'cashier', cashierId: queueKey.slice('cashier:'.length) },
        baseFen: ORDER_FEN,
        ratioBp: 5000,
        ratioRule: 'own',
        ratioSource: 'plugin',
        entitlementFen: ENTITLEMENT,
        receivedFen: 0,
        status: 'pending',
        orderDone: true,
        lottery: null,
        convertedToPoints: false,
        exchanged: null,
        createdAt: created,
        firstPaidAt: null,
        closedAt: null,
      } as EntryDoc);
    }
    await col(db, 'entries').insertMany(docs);
    if (n >= 100_000 && (i / BATCH) % 10 === 0) log(`  loaded ${i + docs.length}/${n}`);
  }
  await col(db, 'queues').insertOne({ _id: queueKey, name: '基准收银台', kind: 'cashier', nextSeq: n, pendingCount: n, pendingFen: n * ENTITLEMENT, paidFen: 0, entryCount: n, rr: null, createdAt: created });
  await app.fund(`fixture:queue:${queueKey}`, [...perUser].map(([u, fen]) => [acct.queueEntitlementIssuer, acct.userQueueEntitlement(u), fen] as [string, string, number]));
}

