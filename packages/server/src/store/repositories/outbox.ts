import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Alert } from '../../notify/types.js';
import type { Database, OutboxAttemptTable, OutboxTable } from '../database.js';
import type {
  OutboxAttempt,
  OutboxEntry,
  OutboxItem,
  OutboxRef,
  OutboxRepository,
  OutboxState,
} from '../types.js';
import { saveWatcherState } from './alert-state.js';
import { assertLeader, leaderIsCurrent } from './cluster.js';

export function outboxRepository(db: Kysely<Database>): OutboxRepository {
  return {
    async enqueue(alert, channels, dueAtMs, watcher, fence) {
      const json = JSON.stringify(alert);
      await db.transaction().execute(async (trx) => {
        if (fence) await assertLeader(trx, fence);
        if (channels.length > 0) {
          await trx
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
                lease_token: null,
                finished_at: null,
                last_error: null,
              })),
            )
            .onConflict((conflict) => conflict.columns(['alert_id', 'channel']).doNothing())
            .execute();
        }
        if (watcher) await saveWatcherState(trx, watcher);
      });
    },

    async claimNext(channel, { nowMs, leaseMs, owner }, fence) {
      const head = db
        .selectFrom('outbox')
        .where('channel', '=', channel)
        .where('state', '=', 'pending')
        .orderBy('created_at')
        .orderBy('alert_id')
        .limit(1);
      // One statement, so two instances never both lease the head: PostgreSQL re-checks the
      // conditions on a row another claim just changed, SQLite runs one writer at a time.
      let claim = db
        .updateTable('outbox')
        .set({ lease_owner: owner, lease_until: nowMs + leaseMs, lease_token: fence?.token ?? null })
        .where('channel', '=', channel)
        .where('state', '=', 'pending')
        .where('due_at', '<=', nowMs)
        .where((eb) =>
          eb.or([
            eb('lease_until', 'is', null),
            eb('lease_until', '<=', nowMs),
            eb('lease_owner', '=', owner),
            // A claim made under an older leader's token: that leader is fenced out and cannot send it.
            ...(fence ? [eb('lease_token', '<', fence.token)] : []),
          ]),
        );
      if (fence) claim = claim.where(leaderIsCurrent(fence));
      const leased = await claim
        .where(({ eb, refTuple }) =>
          eb(
            refTuple('alert_id', 'channel'),
            'in',
            head.select(['alert_id', 'channel']).$asTuple('alert_id', 'channel'),
          ),
        )
        .returningAll()
        .executeTakeFirst();
      if (leased) {
        const [entry] = await withLog(db, [toItem(leased)]);
        return entry && { entry };
      }
      if (fence) await assertLeader(db, fence);
      const waiting = await head.select(['due_at', 'lease_until']).executeTakeFirst();
      return waiting && { retryAtMs: Math.max(nowMs, waiting.due_at, waiting.lease_until ?? nowMs) };
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
            lease_token: null,
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
            lease_token: null,
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

    async recent({ limit, before }) {
      let select = db.selectFrom('outbox').selectAll();
      if (before) {
        select = select.where(({ eb, refTuple, tuple }) =>
          eb(
            refTuple('created_at', 'alert_id', 'channel'),
            '<',
            tuple(before.createdAtMs, before.alertId, before.channel),
          ),
        );
      }
      const rows = await select
        .orderBy('created_at', 'desc')
        .orderBy('alert_id', 'desc')
        .orderBy('channel', 'desc')
        .limit(limit)
        .execute();
      return withLog(db, rows.map(toItem));
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
      return rows.map(toAttempt);
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

/** A pending item to update: a finished one stays as it is (e.g. delivered by another instance meanwhile). */
function byRef(trx: Transaction<Database>, ref: OutboxRef) {
  return trx
    .updateTable('outbox')
    .where('alert_id', '=', ref.alertId)
    .where('channel', '=', ref.channel)
    .where('state', '=', 'pending');
}

/** The items with their attempt logs, read in one query. */
async function withLog(db: Kysely<Database>, items: OutboxItem[]): Promise<OutboxEntry[]> {
  if (items.length === 0) return [];
  const rows = await db
    .selectFrom('outbox_attempts')
    .selectAll()
    .where('alert_id', 'in', [...new Set(items.map((item) => item.alertId))])
    .orderBy('seq')
    .execute();
  const log = rows.map(toAttempt);
  return items.map((item) => ({
    ...item,
    log: log.filter((each) => each.alertId === item.alertId && each.channel === item.channel),
  }));
}

function toAttempt(row: Selectable<OutboxAttemptTable>): OutboxAttempt {
  return {
    alertId: row.alert_id,
    channel: row.channel,
    attempt: row.attempt,
    atMs: row.at,
    ok: row.ok === 1,
    ...(row.error !== null && { error: row.error }),
  };
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
    channel: row.channel,
    alert: JSON.parse(row.alert) as Alert,
    state: row.state as OutboxState,
    attempts: row.attempts,
    createdAtMs: row.created_at,
    dueAtMs: row.due_at,
  };
  if (row.last_error !== null) item.lastError = row.last_error;
  return item;
}
