import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './database.js';
import { cachingStatements } from './statement-cache.js';

/** pg is loaded only for a PostgreSQL store: with SQLite, its modules would only take memory. */
const loadPg = () => createRequire(import.meta.url)('pg') as typeof import('pg');

/** Where the data lives: a SQLite file, or a PostgreSQL server. */
export type StoreLocation =
  | { engine: 'sqlite'; path: string }
  | { engine: 'postgres'; url: string; poolSize?: number };

/**
 * Opens the query builder over the engine's driver; no query runs yet. `onIdleError` hears of
 * PostgreSQL connections that drop while idle (a server restart): the pool replaces them, and
 * without a listener the error would end the process.
 */
export function connect(
  location: StoreLocation,
  onIdleError: (error: Error) => void = () => {},
): Kysely<Database> {
  if (location.engine === 'sqlite') return new Kysely<Database>({ dialect: sqliteDialect(location.path) });
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: location.url,
    max: location.poolSize ?? 10,
    types: { getTypeParser: numbersAsNumbers(pg.types) },
  });
  pool.on('error', onIdleError);
  // A connection that drops while a query holds it (the server stops mid-query) also emits 'error'
  // on its client, where the pool listens only while it is idle: unheard, that error would end the
  // process. The query itself fails with the same error, and the pool discards the client.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function sqliteDialect(path: string): SqliteDialect {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  // WAL lets the page read while a batch writes; NORMAL syncs at checkpoints, and a crash can only
  // lose the last commits, never corrupt the file.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database: cachingStatements(database) });
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Times are bigint columns and sums come back as bigint or numeric; all fit a JS number. */
function numbersAsNumbers(types: typeof import('pg').types) {
  return (oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return types.getTypeParser(oid, format);
  };
}
