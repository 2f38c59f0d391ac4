import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { AlertState, AlertStateRepository } from '../types.js';

const ALERT_STATE = 'alert_state';
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
    getAlertState: async () => (await read(ALERT_STATE)) as AlertState | undefined,
    setAlertState: (state) => write(ALERT_STATE, state),
    getIgnoreUntil: async () => {
      const value = await read(IGNORE_UNTIL);
      return typeof value === 'number' ? value : undefined;
    },
    setIgnoreUntil: (untilMs) =>
      untilMs === undefined ? remove(IGNORE_UNTIL) : write(IGNORE_UNTIL, untilMs),
  };
}
