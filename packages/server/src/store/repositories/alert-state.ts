import type { Kysely } from 'kysely';
import type { WatcherStateRecord } from '../../notify/outbox.js';
import type { Database } from '../database.js';
import type { AlertStateRepository } from '../types.js';
import { assertLeader } from './cluster.js';

const IGNORE_UNTIL = 'reminder_ignore_until';

export function alertStateRepository(db: Kysely<Database>): AlertStateRepository {
  const read = async (key: string): Promise<unknown> => {
    const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row === undefined ? undefined : JSON.parse(row.value);
  };
  const write = async (key: string, value: unknown) => {
    const json = JSON.stringify(value);
    await db
      .insertInto('settings')
      .values({ key, value: json })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: json }))
      .execute();
  };
  const remove = async (key: string) => {
    await db.deleteFrom('settings').where('key', '=', key).execute();
  };

  return {
    async watcherStates() {
      const rows = await db.selectFrom('watcher_states').selectAll().execute();
      return new Map(rows.map((row) => [row.key, JSON.parse(row.state) as WatcherStateRecord['state']]));
    },
    setWatcherState: (record, fence) =>
      fence === undefined
        ? saveWatcherState(db, record)
        : db.transaction().execute(async (trx) => {
            await assertLeader(trx, fence);
            await saveWatcherState(trx, record);
          }),
    getIgnoreUntil: async () => {
      const value = await read(IGNORE_UNTIL);
      return typeof value === 'number' ? value : undefined;
    },
    setIgnoreUntil: (untilMs) =>
      untilMs === undefined ? remove(IGNORE_UNTIL) : write(IGNORE_UNTIL, untilMs),
  };
}

/** Inserts or replaces one watcher's state; the outbox calls it inside its own transaction. */
export async function saveWatcherState(db: Kysely<Database>, { key, state }: WatcherStateRecord) {
  const json = JSON.stringify(state);
  await db
    .insertInto('watcher_states')
    .values({ key, state: json })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ state: json }))
    .execute();
}
