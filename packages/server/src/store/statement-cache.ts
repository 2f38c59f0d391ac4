import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Distinct SQL texts kept compiled: enough for a flush's few upsert shapes to stay hot, few enough
 * that one-off shapes (a last partial chunk, an `IN` list) do not pile up (a 50-row upsert is ~47 kB
 * of native memory, a 500-row one ~430 kB).
 */
export const CACHED_STATEMENTS = 32;

/**
 * A SQLite database whose compiled statements are kept by their SQL text, the least recently used
 * dropped past `capacity`. Kysely prepares every query anew, and better-sqlite3 frees a statement's
 * native memory only when V8 collects its small JS object, so a flush's hundreds of identical
 * upserts were each compiled and left waiting for a major GC. Kysely sends values as parameters,
 * so a query's text is its shape, and a flush's upserts share a handful of texts.
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
