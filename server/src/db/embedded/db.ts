/** Db: collections of one database name. */
import { Query } from 'mingo';
import { Db, ListCollectionsCursor, type Collection } from 'mongodb';
import { EmbeddedCollection, wrapCollection, type ClientCore } from './collection';
import { CONCERN_OPTIONS, concernsOf, type Concerns } from './concerns';
import { ListCursorImpl } from './cursor';
import { checkOptions, strict } from './strict';
import { serverError } from './errors';
import type { Doc } from './values';

export class EmbeddedDb {
  constructor(
    private readonly core: ClientCore,
    readonly databaseName: string,
    /** read/write concern and read preference given to `client.db(name, options)` */
    private readonly concerns: Concerns,
  ) {}

  collection(name: string, options?: Record<string, unknown>): Collection {
    checkOptions('Db.collection', options, CONCERN_OPTIONS);
    if (typeof name !== 'string' || name.length === 0 || name.includes('$')) {
      throw serverError('BadValue', `Invalid collection name: ${String(name)}`);
    }
    return wrapCollection(new EmbeddedCollection(this.core, this.databaseName, name, concernsOf(options, this.concerns)));
  }

  async createCollection(name: string, options?: Record<string, unknown>): Promise<Collection> {
    checkOptions('Db.createCollection', options, ['writeConcern']);
    await this.core.engine.createCollection(this.databaseName, name);
    return this.collection(name);
  }

  async dropDatabase(options?: Record<string, unknown>): Promise<boolean> {
    checkOptions('Db.dropDatabase', options, ['writeConcern']);
    await this.core.engine.dropDatabase(this.databaseName);
    return true;
  }

  listCollections(filter?: Doc, options?: Record<string, unknown>): ListCollectionsCursor {
    checkOptions('Db.listCollections', options, ['nameOnly', 'authorizedCollections', 'session']);
    const q = filter && Object.keys(filter).length > 0 ? new Query(filter, {}) : null;
    const cursor = new ListCursorImpl(() => {
      this.core.engine.assertOpen();
      return this.core.engine
        .listCollections(this.databaseName)
        .map((c) => ({ name: c.name, type: 'collection', options: {}, info: { readOnly: false }, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } }) as Doc)
        .filter((d) => q === null || q.test(d));
    }, true);
    return strict(cursor, 'ListCollectionsCursor', [ListCollectionsCursor.prototype], { bindMethods: true }) as unknown as ListCollectionsCursor;
  }
}

export function wrapDb(d: EmbeddedDb): Db {
  return strict(d, 'Db', [Db.prototype]) as unknown as Db;
}
