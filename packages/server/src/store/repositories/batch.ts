import { type ExpressionBuilder, type OnConflictDatabase, type OnConflictTables, sql } from 'kysely';

/** Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const ROWS_PER_STATEMENT = 500;

export function* chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/**
 * Lets the event loop run between the statements of a long batch. SQLite's driver is synchronous,
 * so writing 100,000 replicas at once (after a mass death) would otherwise hold the process, and
 * every request, for seconds.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `SET col = excluded.col` for each column: an upsert that takes the new row's values (both dialects). */
export function takeExcluded<DB, TB extends keyof DB>(columns: readonly string[]) {
  return (_eb: ExpressionBuilder<OnConflictDatabase<DB, TB>, OnConflictTables<TB>>) =>
    Object.fromEntries(columns.map((column) => [column, sql.ref(`excluded.${column}`)])) as never;
}
