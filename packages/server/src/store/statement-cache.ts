import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept compiled; the store's queries have far fewer shapes than this. */
export const CACHED_STATEMENTS = 200;

/**
 * A SQLite database whose compiled statements are kept by their SQL text, the least recently used
 * dropped past `capacity`. Kysely prepares every query anew, and better-sqlite3 frees a statement's
 * native memory only when V8 collects its small JS object: a minute's rollup flush at 20,000
 * replicas left hundreds of megabytes of compiled upserts waiting for a major GC, and the allocator
 * kept them after it. Kysely sends values as parameters, so a query's text is its shape, and a
 * flush's upserts share a handful of texts.
 */
export function cachingStatements(database: SqliteDatabase, capacity = CACHED_STATEMENTS): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      const cached = statements.get(sql);
      // Deleted and set again, so the Map's order stays least recently used first.
      if (cached) statements.delete(sql);
      const statement = cached ?? database.prepare(sql);
      statements.set(sql, statement);
      for (const oldest of statements.keys()) {
        if (statements.size <= capacity) break;
        statements.delete(oldest);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
