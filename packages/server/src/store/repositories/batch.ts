import { type ExpressionBuilder, type OnConflictDatabase, type OnConflictTables, sql } from 'kysely';
import type { Refusal } from '../types.js';
import { isRefusedData } from './storable.js';

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

/**
 * Writes `items` with `write`, which must be all or nothing (one transaction). When the database
 * refuses the data, halves the batch until each refused item stands alone, writing the rest: a bad
 * record costs about 2·log2(n) statements and blocks nothing. Returns the refused items; any other
 * error (the store unreachable) is thrown, as it says nothing about the rows.
 */
export async function writeIsolating<T>(
  items: readonly T[],
  write: (batch: readonly T[]) => Promise<void>,
): Promise<Refusal<T>[]> {
  if (items.length === 0) return [];
  try {
    await write(items);
    return [];
  } catch (error) {
    if (!isRefusedData(error)) throw error;
    if (items.length === 1) return items.map((item) => ({ item, error }));
    const middle = Math.ceil(items.length / 2);
    const first = await writeIsolating(items.slice(0, middle), write);
    return [...first, ...(await writeIsolating(items.slice(middle), write))];
  }
}
