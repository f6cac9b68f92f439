/**
 * Database entry point. The repositories are written against the official `mongodb` driver
 * types; `connectMongo` gives them a real MongoClient when MONGODB_URI is set, and otherwise the
 * embedded in-process engine (same API subset, same semantics; see README.md).
 */
import { MongoClient } from 'mongodb';
import { openEmbedded, type EmbeddedClientOptions } from './embedded/client';

export type { EmbeddedClientOptions } from './embedded/client';
export type { EngineStats } from './embedded/executor';
export {
  EmbeddedMongoServerError,
  isDuplicateKeyError,
  isTransientTransactionError,
  isUnknownTransactionCommitResult,
} from './embedded/errors';
export { compactEmbedded, getEngineStats, isEmbeddedClient, resetEngineStats } from './embedded/client';
/** thrown by openEmbeddedClient when a data file is corrupt (file, byte offset); see README "Durability" */
export { CorruptFileError } from './embedded/journal-scan';

/** Open the embedded engine: in memory, or durable in `opts.dir`. Typed as the driver's MongoClient. */
export function openEmbeddedClient(opts: EmbeddedClientOptions = {}): Promise<MongoClient> {
  return openEmbedded(opts);
}

/**
 * Connect: the real driver when `uri` (default: MONGODB_URI) is set, else the embedded engine
 * with its data in DATA_DIR (memory only when DATA_DIR is unset).
 */
export async function connectMongo(uri: string | undefined = process.env.MONGODB_URI): Promise<MongoClient> {
  if (uri) return new MongoClient(uri).connect();
  const dir = process.env.DATA_DIR;
  return openEmbedded(dir ? { dir } : {});
}
