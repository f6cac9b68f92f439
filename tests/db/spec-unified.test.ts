/**
 * MongoDB's own driver specification tests (unified format: CRUD, transactions, convenient
 * transactions API; vendored unmodified in tests/db/spec from the Node.js driver repository, see
 * its README) against the embedded engine, or against a real deployment when MONGODB_URI is set.
 * See tests/db/unified/runner.ts for the verdicts.
 *
 * Fails when any test is answered differently from the spec (or the runner cannot run it); prints
 * the counts. SPEC_TESTS_DIR reads the suites from elsewhere; SPEC_FILTER=<substring of a file
 * name> runs only matching files; SPEC_REPORT=<path> writes every verdict as JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL } from './helpers/factory';
import { count, loadSuite, openTarget, runTest, summary, type Target, type TestResult } from './unified/runner';

const SPEC_DIR = process.env.SPEC_TESTS_DIR ?? path.join(__dirname, 'spec');
const SUITES = ['crud', 'transactions', 'transactions-convenient-api'];
const FILTER = process.env.SPEC_FILTER;

const results: TestResult[] = [];
/** under MONGODB_URI one target serves every file; the embedded engine is fresh per file */
let shared: Target | null = null;
let lastTarget: Target | null = null;

beforeAll(async () => {
  if (REAL) shared = await openTarget();
});
afterAll(async () => {
  await shared?.close();
});

/**
 * The runner checks itself on a small file of its own: wrong answers must come out as
 * `different`, right ones as `pass` (so a bug that made every test pass would show here).
 */
const SELF_CHECK = {
  name: 'runner-self-check',
  doc: {
    schemaVersion: '1.0',
    createEntities: [
      { client: { id: 'client0' } },
      { database: { id: 'db0', client: 'client0', databaseName: 'runner-self-check' } },
      { collection: { id: 'c0', database: 'db0', collectionName: 'c' } },
    ],
    initialData: [{ collectionName: 'c', databaseName: 'runner-self-check', documents: [{ _id: 1, x: 1, y: { z: 1 } }] }],
    tests: [
      { description: 'pass', operations: [{ name: 'find', object: 'c0', arguments: { filter: {} }, expectResult: [{ _id: 1, y: { z: 1 } }] }] },
      { description: 'different: value', operations: [{ name: 'find', object: 'c0', arguments: { filter: {} }, expectResult: [{ _id: 1, x: 2 }] }] },
      { description: 'different: nested extra field', operations: [{ name: 'findOne', object: 'c0', arguments: { filter: {} }, expectResult: { y: {} } }] },
      { description: 'different: count', operations: [{ name: 'find', object: 'c0', arguments: { filter: {} }, expectResult: [] }] },
      { description: 'different: missing error', operations: [{ name: 'insertOne', object: 'c0', arguments: { document: { _id: 2 } }, expectError: { isError: true } }] },
      { description: 'different: error code', operations: [{ name: 'insertOne', object: 'c0', arguments: { document: { _id: 1 } }, expectError: { errorCode: 12345 } }] },
      { description: 'different: unexpected error', operations: [{ name: 'insertOne', object: 'c0', arguments: { document: { _id: 1 } } }] },
      {
        description: 'different: outcome',
        operations: [{ name: 'insertOne', object: 'c0', arguments: { document: { _id: 2 } } }],
        outcome: [{ collectionName: 'c', databaseName: 'runner-self-check', documents: [{ _id: 1, x: 1, y: { z: 1 } }] }],
      },
      {
        description: 'pass: error and outcome',
        operations: [{ name: 'insertOne', object: 'c0', arguments: { document: { _id: 1 } }, expectError: { errorCode: 11000, isClientError: false } }],
        outcome: [{ collectionName: 'c', databaseName: 'runner-self-check', documents: [{ _id: 1, x: 1.0, y: { z: 1 } }] }],
      },
      { description: 'not applicable: version', runOnRequirements: [{ minServerVersion: '99.0' }], operations: [] },
      { description: 'refused on the embedded engine', operations: [{ name: 'find', object: 'c0', arguments: { filter: {}, hint: { _id: 1 } }, expectResult: [{ _id: 1 }] }] },
    ],
  },
};

describe('runner self-check', () => {
  it('reports wrong answers as different and right ones as pass', async () => {
    const target = shared ?? (await openTarget());
    try {
      for (const test of SELF_CHECK.doc.tests) {
        const r = await runTest(target, 'self', SELF_CHECK, test);
        const want = test.description.startsWith('refused') ? (REAL ? 'pass' : 'refused') : test.description.split(':')[0];
        expect(r.verdict.kind, `${test.description}: ${JSON.stringify(r.verdict)}`).toBe(want);
      }
    } finally {
      if (!shared) await target.close();
    }
  });
});

const show = (r: TestResult) => `${r.suite}/${r.file} "${r.test}": ${r.verdict.kind}: ${'message' in r.verdict ? r.verdict.message : ''}`;

for (const suite of SUITES) {
  describe(suite, () => {
    const files = loadSuite(path.join(SPEC_DIR, suite)).filter((f) => !FILTER || f.name.includes(FILTER));
    for (const file of files) {
      it(file.name, async () => {
        const target = shared ?? (await openTarget());
        lastTarget = target;

        const mine: TestResult[] = [];
        try {
          for (const test of file.doc.tests as Record<string, unknown>[]) mine.push(await runTest(target, suite, file, test));
        } finally {
          if (!shared) await target.close();
        }
        results.push(...mine);
        // a wrong answer (or a test this runner cannot run) fails the file
        expect(mine.filter((r) => r.verdict.kind === 'different' || r.verdict.kind === 'runner error').map(show)).toEqual([]);
      });
    }
  });
}

describe('spec suites', () => {
  it('no test is answered differently from the spec; every test that does not apply says why', () => {
    if (lastTarget) console.log(summary(lastTarget, results, SUITES));
    if (process.env.SPEC_REPORT) fs.writeFileSync(process.env.SPEC_REPORT, JSON.stringify(results, null, 1));
    const c = count(results);
    expect(c.different).toBe(0);
    expect(c.runnerErrors).toBe(0);
    for (const r of results) {
      if (r.verdict.kind === 'not applicable') {
        expect(r.verdict.category.length, show(r)).toBeGreaterThan(0);
        expect(r.verdict.reason.length, show(r)).toBeGreaterThan(0);
      }
    }
    if (!FILTER) expect(c.tests).toBeGreaterThan(700);
  });
});
