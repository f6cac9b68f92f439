/**
 * Which spec tests apply to a target, decided before running them, each "does not apply" with a
 * category and a reason: runOnRequirements (server version, topology, auth, serverless…), the
 * test's own skipReason, fail points, unacknowledged writes.
 */

export interface ServerInfo {
  /** e.g. "7.0.0" */
  version: string;
  topology: 'single' | 'replicaset' | 'sharded' | 'load-balanced';
  auth: boolean;
  serverless: boolean;
  csfle: boolean;
}

export interface NotApplicable {
  category: string;
  reason: string;
}

type Doc = Record<string, unknown>;

/** Version strings compared component by component ("4.0.10" > "4.0.9" > "3.6"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Why one runOnRequirement object is not met (empty: met). */
function unmet(req: Doc, server: ServerInfo): NotApplicable[] {
  const out: NotApplicable[] = [];
  const v = server.version;
  if (typeof req.minServerVersion === 'string' && compareVersions(v, req.minServerVersion) < 0) {
    out.push({ category: 'server version', reason: `needs server >= ${req.minServerVersion} (target ${v})` });
  }
  if (typeof req.maxServerVersion === 'string' && compareVersions(v, req.maxServerVersion) > 0) {
    out.push({ category: 'server version', reason: `needs server <= ${req.maxServerVersion} (target ${v})` });
  }
  if (Array.isArray(req.topologies)) {
    const t = req.topologies as string[];
    const ok = t.includes(server.topology) || (server.topology === 'sharded' && t.includes('sharded-replicaset'));
    if (!ok) out.push({ category: 'topology', reason: `needs topology ${t.join('|')} (target ${server.topology})` });
  }
  if (req.serverless === 'require' && !server.serverless) out.push({ category: 'serverless', reason: 'needs Atlas Serverless' });
  if (req.serverless === 'forbid' && server.serverless) out.push({ category: 'serverless', reason: 'not on Atlas Serverless' });
  if (req.auth === true && !server.auth) out.push({ category: 'auth', reason: 'needs authentication enabled' });
  if (req.auth === false && server.auth) out.push({ category: 'auth', reason: 'needs authentication disabled' });
  if (req.authMechanism !== undefined) out.push({ category: 'auth', reason: `needs auth mechanism ${String(req.authMechanism)}` });
  if (req.csfle !== undefined && req.csfle !== false && !server.csfle) out.push({ category: 'csfle', reason: 'needs client-side field level encryption' });
  if (req.csfle === false && server.csfle) out.push({ category: 'csfle', reason: 'needs no client-side field level encryption' });
  if (req.serverParameters !== undefined) out.push({ category: 'server parameters', reason: `needs server parameters ${JSON.stringify(req.serverParameters)}` });
  return out;
}

/** null when one of the requirements is met (or there are none), else why not. */
export function checkRequirements(reqs: unknown, server: ServerInfo): NotApplicable | null {
  if (!Array.isArray(reqs) || reqs.length === 0) return null;
  let first: NotApplicable | null = null;
  for (const r of reqs as Doc[]) {
    const why = unmet(r, server);
    if (why.length === 0) return null;
    first ??= { category: why[0]!.category, reason: `runOnRequirements: ${why.map((w) => w.reason).join('; ')}` };
  }
  return first;
}

/**
 * Tests that the Node.js driver 6.x itself fails, whatever the server: its own spec runner skips
 * them (node-mongodb-native test/integration/crud/crud.spec.test.ts). The engine behaves as the
 * driver does, so they say nothing about the database.
 */
const NULL_ID = 'the Node.js driver 6.x replaces a null _id with a generated ObjectId before sending an insert (utils.maybeAddIdToDocuments; NODE-6468), so the null _id never reaches the server';
const DRIVER_DEVIATIONS: Record<string, string> = {
  'create-null-ids.json/inserting _id with type null via insertOne': NULL_ID,
  'create-null-ids.json/inserting _id with type null via insertMany': NULL_ID,
  'create-null-ids.json/inserting _id with type null via bulkWrite': NULL_ID,
};

/** Every operation of a test, including those inside withTransaction callbacks. */
export function allOperations(ops: Doc[]): Doc[] {
  const out: Doc[] = [];
  for (const op of ops) {
    out.push(op);
    const cb = (op.arguments as Doc | undefined)?.callback;
    if (Array.isArray(cb)) out.push(...allOperations(cb as Doc[]));
  }
  return out;
}

const isW0 = (wc: unknown): boolean => typeof wc === 'object' && wc !== null && (wc as Doc).w === 0;

/** Operations that write (an unacknowledged write is what `w: 0` is about). */
const WRITES = new Set([
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'bulkWrite',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'clientBulkWrite',
]);

/**
 * Static reasons for a test not to apply to the target: runOnRequirements of the file and the
 * test, skipReason, fail points, unacknowledged writes outside transactions.
 */
export function staticApplicability(file: Doc, test: Doc, server: ServerInfo, fileName = ''): NotApplicable | null {
  const byFile = checkRequirements(file.runOnRequirements, server);
  if (byFile) return byFile;
  const byTest = checkRequirements(test.runOnRequirements, server);
  if (byTest) return byTest;
  if (typeof test.skipReason === 'string') return { category: 'skipped by the spec file', reason: test.skipReason };
  const deviation = DRIVER_DEVIATIONS[`${fileName}/${String(test.description)}`];
  if (deviation) return { category: 'Node.js driver 6.x behaviour', reason: deviation };

  const ops = allOperations(test.operations as Doc[]);
  const fp = ops.find((o) => o.object === 'testRunner' && (o.name === 'failPoint' || o.name === 'targetedFailPoint'));
  if (fp) {
    return {
      category: 'fail points',
      reason: `uses ${String(fp.name)} (configureFailPoint: server fault injection, which the embedded engine does not have and this runner does not drive)`,
    };
  }

  // unacknowledged writes: a write through a w:0 collection (or with a w:0 option) outside a
  // session; inside a transaction the transaction's write concern applies instead
  const w0Entities = new Set<string>();
  const entities = [...((file.createEntities as Doc[]) ?? [])];
  for (const op of ops) if (op.name === 'createEntities') entities.push(...(((op.arguments as Doc).entities as Doc[]) ?? []));
  for (const e of entities) {
    const [kind, spec] = Object.entries(e)[0] as [string, Doc];
    if (kind === 'collection' && isW0((spec.collectionOptions as Doc | undefined)?.writeConcern)) w0Entities.add(spec.id as string);
    if (kind === 'database' && isW0((spec.databaseOptions as Doc | undefined)?.writeConcern)) w0Entities.add(spec.id as string);
  }
  for (const op of ops) {
    if (!WRITES.has(op.name as string)) continue;
    const args = (op.arguments as Doc | undefined) ?? {};
    if ((w0Entities.has(op.object as string) && args.session === undefined) || isW0(args.writeConcern)) {
      return {
        category: 'unacknowledged write concern',
        reason: `${String(op.name)} with w:0 (an unacknowledged write: no result to compare)`,
      };
    }
  }
  return null;
}

/** True when the test asserts nothing but command-monitoring events (no results, errors or outcome). */
export function assertsOnlyEvents(test: Doc): boolean {
  if (!Array.isArray(test.expectEvents)) return false;
  if (Array.isArray(test.outcome)) return false;
  const ops = allOperations(test.operations as Doc[]);
  return !ops.some(
    (o) =>
      o.expectResult !== undefined ||
      o.expectError !== undefined ||
      (o.object === 'testRunner' && typeof o.name === 'string' && o.name.startsWith('assert') && !/LsidOnLastTwoCommands|EventCount/.test(o.name)),
  );
}
