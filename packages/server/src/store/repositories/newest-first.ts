import { type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { StartCursor } from '../../incidents/types.js';

/**
 * Rows after `cursor` in a list ordered by `started_at` then `id`, both descending; for any table
 * with those two columns.
 */
function startsBefore(cursor: StartCursor): RawBuilder<SqlBool> {
  const { startedAtMs, id } = cursor;
  return sql<SqlBool>`(started_at < ${startedAtMs} or (started_at = ${startedAtMs} and id < ${id}))`;
}

/** One page of a list of incidents, newest first (by start, then id), after `before`. */
export function newestFirstPage<DB, TB extends keyof DB, O>(
  select: SelectQueryBuilder<DB, TB, O>,
  query: { limit: number; before?: StartCursor },
): SelectQueryBuilder<DB, TB, O> {
  const after = query.before === undefined ? select : select.where(startsBefore(query.before));
  return after.orderBy(sql`started_at`, 'desc').orderBy(sql`id`, 'desc').limit(query.limit);
}
