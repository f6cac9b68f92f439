/**
 * Strictness at the API surface: the embedded client must never silently ignore something the
 * real driver would do. Unknown option keys throw; the public objects are wrapped in a Proxy that
 * throws a clear "not implemented" error for any member of the real driver class we do not
 * implement (methods throw when called, getters when read). Names that are not driver members
 * behave as on any object (undefined), so `await`, test matchers and inspection keep working.
 */
import { notImplemented } from './errors';

const memberCache = new Map<object, { methods: Set<string>; getters: Set<string> }>();

function driverMembers(protos: object[]): { methods: Set<string>; getters: Set<string> } {
  const key = protos[0]!;
  const hit = memberCache.get(key);
  if (hit) return hit;
  const methods = new Set<string>();
  const getters = new Set<string>();
  for (const start of protos) {
    for (let p: object | null = start; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
        if (name === 'constructor') continue;
        if (typeof d.value === 'function') methods.add(name);
        else if (d.get) getters.add(name);
      }
    }
  }
  const r = { methods, getters };
  memberCache.set(key, r);
  return r;
}

/**
 * Public instance fields of the driver classes (not visible on their prototypes) that we do not
 * implement: reading them throws too.
 */
const INSTANCE_FIELDS: Record<string, string[]> = {
  MongoClient: ['options', 'topology', 'mongoLogger', 'connectionLock'],
  Db: ['client'],
  Collection: ['client'],
  ClientSession: ['client', 'sessionPool', 'clientOptions', 'explicit', 'supports', 'clusterTime', 'operationTime', 'owner', 'defaultTransactionOptions', 'snapshotEnabled', 'timeoutMS'],
};

/** The members to refuse for a class, computed once (a cursor is wrapped on every find). */
const refusedCache = new Map<string, { methods: Set<string>; getters: Set<string> }>();
function refusedMembers(className: string, protos: object[]): { methods: Set<string>; getters: Set<string> } {
  let r = refusedCache.get(className);
  if (!r) {
    const members = driverMembers(protos);
    r = { methods: members.methods, getters: new Set([...members.getters, ...(INSTANCE_FIELDS[className] ?? [])]) };
    refusedCache.set(className, r);
  }
  return r;
}

/**
 * Wrap `target` so that unimplemented members of the driver class(es) `protos` throw clearly.
 * `bindMethods` (cursors): the object's own methods are handed out bound to it, once per name —
 * called through the Proxy they would see the Proxy as `this` and every field they read would go
 * through the trap (a cursor's toArray reads several per document). A bound method that returns
 * the object itself (the chaining ones: sort, limit, map…) returns the Proxy instead.
 */
export function strict<T extends object>(target: T, className: string, protos: object[], opts: { bindMethods?: boolean } = {}): T {
  const { methods, getters } = refusedMembers(className, protos);
  const bound = opts.bindMethods ? new Map<string, unknown>() : null;
  const proxy: T = new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'symbol') return Reflect.get(t, prop, receiver);
      if (bound !== null) {
        const b = bound.get(prop);
        if (b !== undefined) return b;
      }
      if (prop in t) {
        const v = Reflect.get(t, prop, receiver);
        if (bound !== null && typeof v === 'function' && prop !== 'constructor') {
          const fn = v as (...a: unknown[]) => unknown;
          const f = (...args: unknown[]) => {
            const r = fn.apply(t, args);
            return r === t ? proxy : r;
          };
          bound.set(prop, f);
          return f;
        }
        return v;
      }
      if (methods.has(prop)) {
        return () => {
          throw notImplemented(`${className}.${prop}`);
        };
      }
      if (getters.has(prop)) throw notImplemented(`${className}.${prop}`);
      return undefined;
    },
  });
  return proxy;
}

/**
 * Validate an options object: every key with a defined value must be in `allowed`.
 * Returns the options (or {}).
 */
export function checkOptions<T extends Record<string, unknown>>(where: string, opts: unknown, allowed: readonly string[]): T {
  if (opts === undefined || opts === null) return {} as T;
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new TypeError(`embedded mongo: ${where}: options must be an object`);
  for (const k of Object.keys(opts)) {
    if ((opts as Record<string, unknown>)[k] === undefined) continue;
    if (!allowed.includes(k)) throw notImplemented(`${where} option '${k}'`);
  }
  return opts as T;
}
