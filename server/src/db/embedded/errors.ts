/**
 * Errors shaped like the driver's. Server-side failures are instances of the driver's own
 * MongoServerError (so `instanceof MongoServerError`, `code`, `codeName`, `errorLabels`,
 * `hasErrorLabel()` and the driver's withTransaction logic all behave as with a real server);
 * "not implemented" is a plain Error with a message that says what is missing.
 */
import { MongoServerError, type ErrorDescription } from 'mongodb';

export const TRANSIENT = 'TransientTransactionError';
export const UNKNOWN_COMMIT = 'UnknownTransactionCommitResult';

export const Codes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IndexNotFound: 27,
  NamespaceNotFound: 26,
  ConflictingUpdateOperators: 40,
  ImmutableField: 66,
  InvalidOptions: 72,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  WriteConflict: 112,
  DollarPrefixedFieldName: 52,
  UnsatisfiableWriteConcern: 100,
  CannotIndexParallelArrays: 171,
  NoSuchTransaction: 251,
  OperationNotSupportedInTransaction: 263,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  /** "BSON field '…' is an unknown field." (an IDL parse error; the server's codeName is Location40415) */
  Location40415: 40415,
} as const;
export type CodeName = keyof typeof Codes;

export interface EmbeddedErrorFields {
  keyPattern?: Record<string, unknown>;
  keyValue?: Record<string, unknown>;
  errorLabels?: string[];
  [k: string]: unknown;
}

/** A server error raised by the embedded engine (a MongoServerError, as the driver would throw). */
export class EmbeddedMongoServerError extends MongoServerError {
  constructor(codeName: CodeName, message: string, fields: EmbeddedErrorFields = {}) {
    super({ ...fields, message, errmsg: message, code: Codes[codeName], codeName, ok: 0 } as ErrorDescription);
  }
}

export function serverError(codeName: CodeName, message: string, fields?: EmbeddedErrorFields): EmbeddedMongoServerError {
  return new EmbeddedMongoServerError(codeName, message, fields);
}

export const badValue = (message: string) => serverError('BadValue', message);

export function writeConflict(): EmbeddedMongoServerError {
  return serverError(
    'WriteConflict',
    'Caused by :: Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
    { errorLabels: [TRANSIENT] },
  );
}

export function noSuchTransaction(reason: string): EmbeddedMongoServerError {
  return serverError('NoSuchTransaction', `Transaction has been aborted: ${reason}`, { errorLabels: [TRANSIENT] });
}

/** `{ a: 1, b: "x" }` in the server's shell-like rendering, for E11000 messages. */
function renderKey(keyValue: Record<string, unknown>): string {
  const parts = Object.entries(keyValue).map(([k, v]) => `${k}: ${render(v)}`);
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}
function render(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || v === null) return 'null';
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'ObjectId') return `ObjectId('${String(v)}')`;
  if (Array.isArray(v)) return `[ ${v.map(render).join(', ')} ]`;
  if (typeof v === 'object') return renderKey(v as Record<string, unknown>);
  return String(v);
}

export function duplicateKey(
  ns: string,
  indexName: string,
  keyPattern: Record<string, unknown>,
  keyValue: Record<string, unknown>,
): EmbeddedMongoServerError {
  return serverError('DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: ${renderKey(keyValue)}`, {
    index: 0,
    keyPattern,
    keyValue,
  });
}

/** The error for anything the embedded engine does not implement. */
export function notImplemented(what: string): Error {
  return new Error(`embedded mongo: ${what} is not implemented`);
}

function hasLabel(e: unknown, label: string): boolean {
  if (e === null || typeof e !== 'object') return false;
  const x = e as { hasErrorLabel?: unknown; errorLabels?: unknown };
  if (typeof x.hasErrorLabel === 'function') {
    try {
      if ((x.hasErrorLabel as (l: string) => boolean).call(e, label)) return true;
    } catch {
      /* not a driver error */
    }
  }
  return Array.isArray(x.errorLabels) && x.errorLabels.includes(label);
}

/** True for a duplicate key error from the embedded engine or a real driver (by code, never by message). */
export function isDuplicateKeyError(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const x = e as { code?: unknown; writeErrors?: unknown; writeErrorsByIndex?: unknown };
  if (x.code === 11000 || x.code === 11001) return true;
  if (Array.isArray(x.writeErrors)) return x.writeErrors.some((w: { code?: unknown }) => w?.code === 11000 || w?.code === 11001);
  return false;
}

/** True for errors carrying the TransientTransactionError label (write conflicts, aborted transactions). */
export function isTransientTransactionError(e: unknown): boolean {
  return hasLabel(e, TRANSIENT);
}

/** True for errors carrying the UnknownTransactionCommitResult label. */
export function isUnknownTransactionCommitResult(e: unknown): boolean {
  return hasLabel(e, UNKNOWN_COMMIT);
}
