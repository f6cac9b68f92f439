/**
 * A runner for the subset of MongoDB's unified test format used by the CRUD and transactions
 * spec suites, against the embedded engine or (with MONGODB_URI) a real server.
 *
 * Every test gets one verdict:
 * - `pass`: every result, error and outcome assertion held (command-monitoring events, which the
 *   embedded engine cannot produce, are not checked: `unchecked` says so);
 * - `refused`: the engine threw its "not implemented" error — loud, acceptable;
 * - `not applicable`: with a category and a reason (server version, topology, fail points,
 *   unacknowledged writes, a test that asserts only command events…);
 * - `different`: the target answered differently from the spec (wrong result, missing or
 *   unexpected error, wrong collection contents) — must never happen;
 * - `runner error`: this runner lacks something the test needs — must never happen either.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BSON, ReadPreference, type MongoClient, type MongoClientOptions } from 'mongodb';
import { openEmbeddedClient } from '../../../server/src/db';
import { makeClient, REAL } from '../helpers/factory';
import { assertsOnlyEvents, staticApplicability, type ServerInfo } from './applicability';
import { Mismatch, RunnerError, isDocument, matchExactly } from './match';
import { Refused, TestContext, UnexpectedError, describeError, type Hooks } from './operations';

type Doc = Record<string, unknown>;

export type Verdict =
  | { kind: 'pass'; unchecked: string[] }
  | { kind: 'refused'; message: string }
  | { kind: 'not applicable'; category: string; reason: string }
  | { kind: 'different'; message: string }
  | { kind: 'runner error'; message: string };

export interface TestResult {
  suite: string;
  file: string;
  test: string;
  verdict: Verdict;
}

export interface Target extends Hooks {
  label: string;
  server: ServerInfo;
  closeClient(c: MongoClient): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// targets

/** What the embedded engine stands for in runOnRequirements. */
export const EMBEDDED_SERVER: ServerInfo = { version: '7.0.0', topology: 'replicaset', auth: false, serverless: false, csfle: false };

const NOT_IMPLEMENTED = /^embedded mongo: .+ is not implemented/;

/**
 * Client-level URI options that hold on the embedded engine without being implemented: there is
 * no network to retry over, every acknowledged write is durable (w:1 and w:"majority" are the
 * same on one node), reads only ever see committed data (local and majority are the same), and
 * the one member is the primary.
 */
function vacuousOnEmbedded(key: string, value: unknown): boolean {
  switch (key) {
    case 'retryWrites':
    case 'retryReads':
      return true;
    case 'w':
      return value === 1 || value === 'majority';
    case 'readConcernLevel':
      return value === 'local' || value === 'majority';
    case 'readPreference':
      return value === 'primary';
    default:
      return false;
  }
}

/**
 * The embedded engine, fresh for each spec file. All client entities of a test share its one
 * client (an embedded client is the whole database: separate clients would be separate databases).
 */
export async function embeddedTarget(): Promise<Target> {
  const internal = await makeClient();
  return {
    label: `embedded engine (as MongoDB ${EMBEDDED_SERVER.version} ${EMBEDDED_SERVER.topology})`,
    server: EMBEDDED_SERVER,
    internal,
    async openClient(uriOptions: Doc): Promise<MongoClient> {
      const rest = Object.fromEntries(Object.entries(uriOptions).filter(([k, v]) => !vacuousOnEmbedded(k, v)));
      if (Object.keys(rest).length > 0) {
        // the engine's own refusal of client options it does not have
        const c = await openEmbeddedClient(rest as never);
        await c.close();
        throw new RunnerError(`embedded client accepted ${JSON.stringify(rest)}`);
      }
      return internal;
    },
    async closeClient(): Promise<void> {},
    isRefusal: (e: unknown) => e instanceof Error && NOT_IMPLEMENTED.test(e.message),
    close: () => internal.close(),
  };
}

/** A real deployment (MONGODB_URI): one internal client, a new client per client entity. */
export async function realTarget(): Promise<Target> {
  const internal = await makeClient();
  const admin = internal.db('admin');
  const build = await admin.command({ buildInfo: 1 });
  const hello = await admin.command({ hello: 1 });
  const opts = (internal as unknown as { options: { loadBalanced?: boolean; credentials?: unknown } }).options;
  const topology: ServerInfo['topology'] = opts.loadBalanced
    ? 'load-balanced'
    : hello.msg === 'isdbgrid'
      ? 'sharded'
      : hello.setName
        ? 'replicaset'
        : 'single';
  const server: ServerInfo = { version: String(build.version), topology, auth: !!opts.credentials, serverless: false, csfle: false };
  return {
    label: `MongoDB ${server.version} ${server.topology} (MONGODB_URI)`,
    server,
    internal,
    openClient: (uriOptions: Doc) => makeClient(uriOptions as MongoClientOptions),
    closeClient: (c: MongoClient) => c.close(),
    isRefusal: () => false,
    close: () => internal.close(),
  };
}

export const openTarget = (): Promise<Target> => (REAL ? realTarget() : embeddedTarget());

// ---------------------------------------------------------------------------------------------
// files

export interface SpecFile {
  name: string;
  doc: Doc;
}

/** The spec files of a suite directory, parsed as (relaxed) Extended JSON. */
export function loadSuite(dir: string): SpecFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const doc = BSON.EJSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'), { relaxed: true }) as Doc;
      if (!String(doc.schemaVersion).startsWith('1.')) throw new RunnerError(`${f}: schemaVersion ${String(doc.schemaVersion)} is not supported`);
      return { name: f, doc };
    });
}

/** Deep copy of plain documents and arrays (BSON values are shared: the driver never mutates them). */
function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isDocument(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}

const MAJORITY = { writeConcern: { w: 'majority' as const } };

/** initialData: drop each collection, create it (with createOptions) and insert its documents. */
async function setUp(client: MongoClient, initialData: Doc[]): Promise<void> {
  for (const cd of initialData) {
    const db = client.db(cd.databaseName as string);
    const name = cd.collectionName as string;
    try {
      await db.collection(name).drop(MAJORITY);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 26) throw e; // NamespaceNotFound
    }
    const docs = clone(cd.documents as Doc[]);
    if (cd.createOptions) await db.createCollection(name, { ...(cd.createOptions as Doc), ...MAJORITY });
    if (docs.length > 0) await db.collection(name).insertMany(docs, MAJORITY);
    else if (!cd.createOptions) await db.createCollection(name, MAJORITY);
  }
}

/** outcome: each collection holds exactly these documents (read in _id order, primary, local). */
async function checkOutcome(client: MongoClient, outcome: Doc[]): Promise<void> {
  for (const cd of outcome) {
    const where = `${String(cd.databaseName)}.${String(cd.collectionName)}`;
    const docs = await client
      .db(cd.databaseName as string)
      .collection(cd.collectionName as string)
      .find({}, { sort: { _id: 1 }, readPreference: ReadPreference.primary, readConcern: { level: 'local' } })
      .toArray();
    try {
      matchExactly(cd.documents, docs);
    } catch (e) {
      if (e instanceof Mismatch) throw new Mismatch(`outcome ${where}${e.path ? ` ${e.path}` : ''}`, e.detail);
      throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// one test

export async function runTest(target: Target, suite: string, file: SpecFile, test: Doc): Promise<TestResult> {
  const base = { suite, file: file.name, test: test.description as string };
  const na = staticApplicability(file.doc, test, target.server, file.name);
  if (na) return { ...base, verdict: { kind: 'not applicable', ...na } };

  const ctx = new TestContext(target);
  let verdict: Verdict;
  try {
    await setUp(target.internal, (file.doc.initialData as Doc[] | undefined) ?? []);
    await ctx.createEntities(clone((file.doc.createEntities as Doc[] | undefined) ?? []));
    for (const op of clone(test.operations as Doc[])) await ctx.run(op);
    if (Array.isArray(test.outcome)) await checkOutcome(target.internal, test.outcome as Doc[]);
    if (Array.isArray(test.expectEvents)) ctx.unchecked.add('expectEvents');
    verdict = assertsOnlyEvents(test)
      ? {
          kind: 'not applicable',
          category: 'command monitoring only',
          reason: 'asserts nothing but command-monitoring events (expectEvents), which the embedded engine cannot produce and this runner does not check; its operations ran without error',
        }
      : { kind: 'pass', unchecked: [...ctx.unchecked] };
  } catch (e) {
    verdict = classify(e, target);
  } finally {
    await ctx.cleanup((c) => target.closeClient(c));
  }
  return { ...base, verdict };
}

function classify(e: unknown, target: Target): Verdict {
  if (e instanceof Refused) return { kind: 'refused', message: e.message };
  if (e instanceof RunnerError) return { kind: 'runner error', message: e.message };
  if (e instanceof Mismatch) return { kind: 'different', message: e.message };
  if (e instanceof UnexpectedError) return { kind: 'different', message: e.message };
  // thrown while setting up (initialData, entities) or reading the outcome
  if (target.isRefusal(e)) return { kind: 'refused', message: (e as Error).message };
  return { kind: 'different', message: `setup/outcome: ${describeError(e)}` };
}

// ---------------------------------------------------------------------------------------------
// summary

export interface Counts {
  tests: number;
  pass: number;
  passEventsUnchecked: number;
  refused: number;
  notApplicable: number;
  different: number;
  runnerErrors: number;
}

export function count(results: TestResult[]): Counts {
  const c: Counts = { tests: 0, pass: 0, passEventsUnchecked: 0, refused: 0, notApplicable: 0, different: 0, runnerErrors: 0 };
  for (const r of results) {
    c.tests++;
    const v = r.verdict;
    if (v.kind === 'pass') {
      c.pass++;
      if (v.unchecked.length > 0) c.passEventsUnchecked++;
    } else if (v.kind === 'refused') c.refused++;
    else if (v.kind === 'not applicable') c.notApplicable++;
    else if (v.kind === 'different') c.different++;
    else c.runnerErrors++;
  }
  return c;
}

/** A printable table of the counts per suite, the not-applicable categories and the refusals. */
export function summary(target: Target, results: TestResult[], suites: string[]): string {
  const lines: string[] = [];
  const row = (name: string, c: Counts) =>
    `${name.padEnd(30)}${String(c.tests).padStart(6)}${String(c.pass).padStart(6)}${String(c.refused).padStart(9)}${String(c.notApplicable).padStart(9)}${String(c.different).padStart(11)}`;
  lines.push(`MongoDB unified spec tests on ${target.label}`);
  lines.push(`${'suite'.padEnd(30)}${'tests'.padStart(6)}${'pass'.padStart(6)}${'refused'.padStart(9)}${'n/a'.padStart(9)}${'different'.padStart(11)}`);
  for (const s of suites) lines.push(row(s, count(results.filter((r) => r.suite === s))));
  const all = count(results);
  lines.push(row('total', all));
  lines.push(`(of the ${all.pass} passes, ${all.passEventsUnchecked} also assert command-monitoring events, not checked; runner errors: ${all.runnerErrors})`);
  const byCat = new Map<string, number>();
  for (const r of results) if (r.verdict.kind === 'not applicable') byCat.set(r.verdict.category, (byCat.get(r.verdict.category) ?? 0) + 1);
  lines.push('does not apply, by reason:');
  for (const [cat, n] of [...byCat].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(4)}  ${cat}`);
  const refusals = new Map<string, number>();
  for (const r of results) {
    if (r.verdict.kind !== 'refused') continue;
    const what = r.verdict.message.replace(/^embedded mongo: /, '').replace(/ is not implemented$/, '');
    refusals.set(what, (refusals.get(what) ?? 0) + 1);
  }
  if (refusals.size > 0) {
    lines.push('refused loudly (not implemented):');
    for (const [what, n] of [...refusals].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(4)}  ${what}`);
  }
  return lines.join('\n');
}
