import type { ExpressionBuilder, Kysely, Selectable, Transaction } from 'kysely';
import type { Alert, ChannelName } from '../../notify/types.js';
import type { Database, OutboxTable } from '../database.js';
import type { OutboxItem, OutboxRef, OutboxRepository, OutboxState } from '../types.js';

export function outboxRepository(db: Kysely<Database>): OutboxRepository {
  return {
    async enqueue(alert, channels, dueAtMs) {
      if (channels.length === 0) return;
      const json = JSON.stringify(alert);
      await db
        .insertInto('outbox')
        .values(
          channels.map((channel) => ({
            alert_id: alert.id,
            channel,
            alert: json,
            state: 'pending',
            attempts: 0,
            created_at: alert.atMs,
            due_at: dueAtMs,
            lease_owner: null,
            lease_until: null,
            finished_at: null,
            last_error: null,
          })),
        )
        .onConflict((conflict) => conflict.columns(['alert_id', 'channel']).doNothing())
        .execute();
    },

    async claimDue({ nowMs, limit, leaseMs, owner }) {
      const claimable = (eb: ExpressionBuilder<Database, 'outbox'>) =>
        eb.and([
          eb('state', '=', 'pending'),
          eb('due_at', '<=', nowMs),
          eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowMs)]),
        ]);
      // The outer condition is checked again on each row, so two instances never lease the same item.
      const rows = await db
        .updateTable('outbox')
        .set({ lease_owner: owner, lease_until: nowMs + leaseMs })
        .where(claimable)
        .where(({ eb, refTuple, selectFrom }) =>
          eb(
            refTuple('alert_id', 'channel'),
            'in',
            selectFrom('outbox')
              .select(['alert_id', 'channel'])
              .where(claimable)
              .orderBy('due_at')
              .orderBy('created_at')
              .limit(limit)
              .$asTuple('alert_id', 'channel'),
          ),
        )
        .returningAll()
        .execute();
      return rows.map(toItem).sort((a, b) => a.dueAtMs - b.dueAtMs || a.createdAtMs - b.createdAtMs);
    },

    async markAttempt(ref, { atMs, error, retryAtMs }) {
      await db.transaction().execute(async (trx) => {
        const attempt = await logAttempt(trx, ref, atMs, false, error);
        await byRef(trx, ref)
          .set({
            attempts: attempt,
            last_error: error,
            lease_owner: null,
            lease_until: null,
            ...(retryAtMs === undefined
              ? { state: 'failed' satisfies OutboxState, finished_at: atMs }
              : { due_at: retryAtMs }),
          })
          .execute();
      });
    },

    async complete(ref, atMs) {
      await db.transaction().execute(async (trx) => {
        const attempt = await logAttempt(trx, ref, atMs, true);
        await byRef(trx, ref)
          .set({
            attempts: attempt,
            state: 'delivered' satisfies OutboxState,
            finished_at: atMs,
            lease_owner: null,
            lease_until: null,
          })
          .execute();
      });
    },

    async pending() {
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('state', '=', 'pending')
        .orderBy('created_at')
        .orderBy('alert_id')
        .orderBy('channel')
        .execute();
      return rows.map(toItem);
    },

    async get(ref) {
      const row = await db
        .selectFrom('outbox')
        .selectAll()
        .where('alert_id', '=', ref.alertId)
        .where('channel', '=', ref.channel)
        .executeTakeFirst();
      return row && toItem(row);
    },

    async attempts(alertId) {
      const rows = await db
        .selectFrom('outbox_attempts')
        .selectAll()
        .where('alert_id', '=', alertId)
        .orderBy('seq')
        .execute();
      return rows.map((row) => ({
        alertId: row.alert_id,
        channel: row.channel as ChannelName,
        attempt: row.attempt,
        atMs: row.at,
        ok: row.ok === 1,
        ...(row.error === null ? {} : { error: row.error }),
      }));
    },

    async prune(beforeMs) {
      return db.transaction().execute(async (trx) => {
        const finished = trx
          .selectFrom('outbox')
          .select('alert_id')
          .where('state', '!=', 'pending')
          .where('finished_at', '<', beforeMs);
        await trx.deleteFrom('outbox_attempts').where('alert_id', 'in', finished).execute();
        const result = await trx
          .deleteFrom('outbox')
          .where('state', '!=', 'pending')
          .where('finished_at', '<', beforeMs)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
  };
}

function byRef(trx: Transaction<Database>, ref: OutboxRef) {
  return trx.updateTable('outbox').where('alert_id', '=', ref.alertId).where('channel', '=', ref.channel);
}

/** Appends to the attempt log; returns the attempt's number. */
async function logAttempt(
  trx: Transaction<Database>,
  ref: OutboxRef,
  atMs: number,
  ok: boolean,
  error?: string,
): Promise<number> {
  const current = await trx
    .selectFrom('outbox')
    .select('attempts')
    .where('alert_id', '=', ref.alertId)
    .where('channel', '=', ref.channel)
    .executeTakeFirst();
  if (!current) throw new Error(`no outbox item for alert ${ref.alertId} on ${ref.channel}`);
  const attempt = current.attempts + 1;
  await trx
    .insertInto('outbox_attempts')
    .values({
      alert_id: ref.alertId,
      channel: ref.channel,
      attempt,
      at: atMs,
      ok: ok ? 1 : 0,
      error: error ?? null,
    })
    .execute();
  return attempt;
}

function toItem(row: Selectable<OutboxTable>): OutboxItem {
  const item: OutboxItem = {
    alertId: row.alert_id,
    channel: row.channel as ChannelName,
    alert: JSON.parse(row.alert) as Alert,
    state: row.state as OutboxState,
    attempts: row.attempts,
    createdAtMs: row.created_at,
    dueAtMs: row.due_at,
  };
  if (row.last_error !== null) item.lastError = row.last_error;
  return item;
}
