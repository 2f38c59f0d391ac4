import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { Run, RunRepository } from '../types.js';

export function runRepository(db: Kysely<Database>): RunRepository {
  return {
    async start(run) {
      await db
        .insertInto('runs')
        .values({
          id: run.id,
          started_at: run.startedAtMs,
          last_seen_at: run.lastSeenAtMs,
          stopped_at: run.stoppedAtMs ?? null,
        })
        .execute();
    },
    async heartbeat(id, atMs) {
      await db.updateTable('runs').set({ last_seen_at: atMs }).where('id', '=', id).execute();
    },
    async stop(id, atMs) {
      await db
        .updateTable('runs')
        .set({ last_seen_at: atMs, stopped_at: atMs })
        .where('id', '=', id)
        .execute();
    },
    async list(fromMs, toMs) {
      const rows = await db
        .selectFrom('runs')
        .selectAll()
        .where('started_at', '<', toMs)
        .where('last_seen_at', '>=', fromMs)
        .orderBy('started_at')
        .execute();
      return rows.map((row) => {
        const run: Run = { id: row.id, startedAtMs: row.started_at, lastSeenAtMs: row.last_seen_at };
        if (row.stopped_at !== null) run.stoppedAtMs = row.stopped_at;
        return run;
      });
    },
    async prune(beforeMs) {
      const result = await db.deleteFrom('runs').where('last_seen_at', '<', beforeMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
