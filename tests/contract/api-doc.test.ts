import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { FUNCTION_TABLE } from '../../server/src/functions';
import type { Access } from '../../server/src/runtime/handler';

/**
 * docs/API.md against the server's registry (FUNCTIONS): every function has a section `### \`fn\``
 * with a table `| action | params | access | data |`, one row per action (a row may name several
 * actions as `` `a` / `b` `` with its params cell split the same way, `–` for none). Both ways:
 * every action of the code is documented, every documented action exists; the access cell says
 * the action's access; the params cell names exactly the schema's top-level keys, `name?` for an
 * optional one. The prose in the cells is free: only code spans at the top level of a cell — its
 * start, or after `,` `;` `:` outside parentheses and brackets — are read as parameter names.
 */

interface Row {
  fn: string;
  action: string;
  params: string;
  access: string;
  line: number;
}

const DOC = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');

/** Split a table row on its unescaped pipes (GFM: a pipe inside a code span must be escaped too). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && line[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (c === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out.slice(1, -1);
}

/** Every `| action | params | access | data |` table under a `### \`fn\`` heading. */
function tables(doc: string): { rows: Row[]; headers: { fn: string; header: string[] }[] } {
  const rows: Row[] = [];
  const headers: { fn: string; header: string[] }[] = [];
  const lines = doc.split('\n');
  let fn: string | null = null;
  let inTable = false;
  lines.forEach((line, i) => {
    const h = /^### `(\w+)`/.exec(line);
    if (h) {
      fn = h[1]!;
      inTable = false;
      return;
    }
    if (/^#{1,3} /.test(line)) fn = null;
    if (!fn) return;
    if (line.startsWith('| action |')) {
      headers.push({ fn, header: cells(line) });
      inTable = true;
      return;
    }
    if (!inTable) return;
    if (!line.startsWith('|')) {
      inTable = false;
      return;
    }
    if (/^\|[-| ]+\|$/.test(line)) return;
    const [actionCell = '', params = '', access = ''] = cells(line);
    const names = [...actionCell.matchAll(/`(\w+)`/g)].map((m) => m[1]!);
    const split = names.length > 1 ? params.split(' / ') : [params];
    names.forEach((action, k) => rows.push({ fn: fn!, action, params: (split.length === names.length ? split[k] : params) ?? '', access, line: i + 1 }));
  });
  return { rows, headers };
}

/** The parameter names a params cell gives: code spans at its top level. `–` = none. */
export function documentedParams(cell: string): { name: string; optional: boolean }[] {
  const out: { name: string; optional: boolean }[] = [];
  let depth = 0;
  let lastSep = true; // at the start of the cell
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    if (c === '`') {
      const end = cell.indexOf('`', i + 1);
      if (end < 0) break;
      const span = cell.slice(i + 1, end);
      if (depth === 0 && lastSep) {
        const m = /^([A-Za-z_]\w*)(\?)?(?=$|:|\s)/.exec(span);
        if (m) out.push({ name: m[1]!, optional: !!m[2] });
      }
      i = end;
      lastSep = false;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && ',;:'.includes(c)) lastSep = true;
  }
  return out;
}

/** Which Access a documented access cell means: its first word. */
const ACCESS_WORDS: Record<string, Access> = {
  public: 'public',
  user: 'user',
  owner: 'user',
  buyer: 'user',
  admin: 'admin',
  pay: 'payCallback',
  trigger: 'trigger',
  internal: 'internal',
};

function accessOf(cell: string): Access | undefined {
  const w = /^\**([a-z]+)/i.exec(cell.trim())?.[1]?.toLowerCase();
  return w ? ACCESS_WORDS[w] : undefined;
}

/** The schema's top-level keys and whether each may be left out; null when it accepts any keys (WeChat's notifications). */
function schemaKeys(schema: z.ZodType): { name: string; optional: boolean }[] | null {
  const def = (schema as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodType>; catchall?: z.ZodType } } })._zod.def;
  if (def.type !== 'object' || !def.shape) throw new Error(`not an object schema: ${def.type}`);
  const keys = Object.entries(def.shape).map(([name, s]) => ({ name, optional: (s as unknown as { _zod: { optin?: string } })._zod.optin === 'optional' }));
  const open = def.catchall && (def.catchall as unknown as { _zod: { def: { type: string } } })._zod.def.type !== 'never';
  return open ? null : keys;
}

const { rows, headers } = tables(DOC);
const code = Object.entries(FUNCTION_TABLE).flatMap(([fn, actions]) => Object.entries(actions).map(([action, def]) => ({ fn, action, def })));
const key = (r: { fn: string; action: string }) => `${r.fn}.${r.action}`;

describe('docs/API.md is the registry’s', () => {
  it('every function has one table with the columns action | params | access | data', () => {
    for (const fn of Object.keys(FUNCTION_TABLE)) expect(headers.filter((h) => h.fn === fn).map((h) => h.header), fn).toEqual([['action', 'params', 'access', 'data']]);
    expect(headers.map((h) => h.fn).filter((fn) => !(fn in FUNCTION_TABLE))).toEqual([]);
  });

  it('every action is documented once, and every documented action exists', () => {
    const documented = rows.map(key);
    expect(code.map(key).filter((k) => !documented.includes(k)), 'actions missing from docs/API.md').toEqual([]);
    expect(documented.filter((k) => !code.some((c) => key(c) === k)), 'documented actions the server lacks').toEqual([]);
    expect(documented.filter((k, i) => documented.indexOf(k) !== i), 'documented twice').toEqual([]);
  });

  it('the access column is each action’s access', () => {
    const wrong = rows.flatMap((r) => {
      const def = FUNCTION_TABLE[r.fn]?.[r.action];
      return def && accessOf(r.access) !== def.access ? [`${key(r)} (line ${r.line}): doc "${r.access.slice(0, 40)}", code ${def.access}`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it('the params column names exactly the schema’s top-level keys, `?` for the optional ones', () => {
    const wrong = rows.flatMap((r) => {
      const def = FUNCTION_TABLE[r.fn]?.[r.action];
      if (!def) return [];
      const doc = documentedParams(r.params);
      const keys = schemaKeys(def.params);
      const where = `${key(r)} (line ${r.line})`;
      const problems: string[] = [];
      for (const k of keys ?? []) {
        const d = doc.find((x) => x.name === k.name);
        if (!d) problems.push(`${where}: \`${k.name}${k.optional ? '?' : ''}\` not named`);
        else if (d.optional !== k.optional) problems.push(`${where}: \`${k.name}\` is ${k.optional ? 'optional' : 'required'}`);
      }
      if (keys) for (const d of doc) if (!keys.some((k) => k.name === d.name)) problems.push(`${where}: \`${d.name}\` is not a parameter`);
      return problems;
    });
    expect(wrong).toEqual([]);
  });

  it('reads parameter names from the top level of a cell only', () => {
    expect(documentedParams('`filter?` (`all` default, `toShip`), `limit?`')).toEqual([
      { name: 'filter', optional: true },
      { name: 'limit', optional: true },
    ]);
    expect(documentedParams('`to: points|love|voucher`, `entryId`')).toEqual([
      { name: 'to', optional: false },
      { name: 'entryId', optional: false },
    ]);
    expect(documentedParams('–')).toEqual([]);
    expect(documentedParams('`ref?` invite code or user id of the referrer (bound on first sign-in only)')).toEqual([{ name: 'ref', optional: true }]);
  });
});
