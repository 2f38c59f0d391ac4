import { type Expression, type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { ClusterRepository, Fence } from '../types.js';
import { FencedOutError } from '../types.js';

/**
 * The database's clock in ms since the epoch: every lease is judged by it, never by a member's own
 * clock, so members whose clocks disagree still agree on who holds what. PostgreSQL only.
 */
const DATABASE_NOW_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The single row of `cluster_leader`. */
const LEADER_ROW = 1;

/** Membership and the alert leader's lease, for `[cluster]` on PostgreSQL (docs/cluster.md). */
export function clusterRepository(db: Kysely<Database>): ClusterRepository {
  return {
    async heartbeat({ instanceId, vantage, leaseMs, startedAtMs }) {
      return db.transaction().execute(async (trx) => {
        // Its start time tells this process from another one heartbeating under the same id.
        const previous = await trx
          .selectFrom('cluster_members')
          .select(['started_at', sql<boolean>`heartbeat_at + lease_ms > ${DATABASE_NOW_MS}`.as('live')])
          .where('instance_id', '=', instanceId)
          .forUpdate()
          .executeTakeFirst();
        const row = {
          vantage,
          started_at: startedAtMs,
          heartbeat_at: DATABASE_NOW_MS,
          lease_ms: leaseMs,
        };
        await trx
          .insertInto('cluster_members')
          .values({ instance_id: instanceId, ...row })
          .onConflict((conflict) => conflict.column('instance_id').doUpdateSet(row))
          .execute();
        return { sharedWithLiveProcess: previous?.live === true && previous.started_at !== startedAtMs };
      });
    },

    async leave(instanceId) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('cluster_members').where('instance_id', '=', instanceId).execute();
        // Ends its lease now, so another member takes over at its next heartbeat instead of a lease later.
        await trx
          .updateTable('cluster_leader')
          .set({ lease_until: DATABASE_NOW_MS })
          .where('id', '=', LEADER_ROW)
          .where('holder', '=', instanceId)
          .execute();
      });
    },

    async notify(channel, payload) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },

    async view() {
      return db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ now_ms: number }>`select ${DATABASE_NOW_MS} as now_ms`.execute(trx);
        const nowMs = rows[0]?.now_ms ?? 0;
        const members = await trx.selectFrom('cluster_members').selectAll().orderBy('instance_id').execute();
        const leader = await trx
          .selectFrom('cluster_leader')
          .selectAll()
          .where('id', '=', LEADER_ROW)
          .executeTakeFirst();
        return {
          nowMs,
          members: members.map((row) => ({
            instanceId: row.instance_id,
            vantage: row.vantage,
            startedAtMs: row.started_at,
            heartbeatAtMs: row.heartbeat_at,
            leaseMs: row.lease_ms,
            alive: row.heartbeat_at + row.lease_ms > nowMs,
          })),
          ...(leader && {
            leader: {
              instanceId: leader.holder,
              token: leader.token,
              acquiredAtMs: leader.acquired_at,
              leaseUntilMs: leader.lease_until,
              current: leader.lease_until > nowMs,
            },
          }),
        };
      });
    },

    async acquireLeadership(instanceId, leaseMs, heldToken) {
      // One statement, so two members never both win. The holder renews its running lease with the
      // same token; every other take (a lapsed lease, this member's own lease from before a restart
      // or a pause) gets the next token, which fences out whatever held the old one.
      const renews = sql<boolean>`cluster_leader.token = ${heldToken ?? -1} and cluster_leader.holder = ${instanceId} and cluster_leader.lease_until > ${DATABASE_NOW_MS}`;
      const row = await db
        .insertInto('cluster_leader')
        .values({
          id: LEADER_ROW,
          holder: instanceId,
          token: 1,
          acquired_at: DATABASE_NOW_MS,
          lease_until: sql<number>`${DATABASE_NOW_MS} + ${leaseMs}`,
        })
        .onConflict((conflict) =>
          conflict
            .column('id')
            .doUpdateSet({
              holder: instanceId,
              token: sql<number>`case when ${renews} then cluster_leader.token else cluster_leader.token + 1 end`,
              acquired_at: sql<number>`case when ${renews} then cluster_leader.acquired_at else ${DATABASE_NOW_MS} end`,
              lease_until: sql<number>`${DATABASE_NOW_MS} + ${leaseMs}`,
            })
            .where((eb) =>
              eb.or([
                eb('cluster_leader.holder', '=', instanceId),
                eb('cluster_leader.lease_until', '<=', DATABASE_NOW_MS),
              ]),
            ),
        )
        .returning(['token', 'lease_until'])
        .executeTakeFirst();
      return row && { token: row.token, leaseUntilMs: row.lease_until };
    },
  };
}

/** Whether `fence` is the current leader's token and its lease runs, by the database's clock. */
export function leaderIsCurrent(fence: Fence): Expression<SqlBool> {
  return sql<SqlBool>`exists (select 1 from cluster_leader where id = ${LEADER_ROW} and token = ${fence.token} and lease_until > ${DATABASE_NOW_MS})`;
}

/**
 * Fails unless `fence` is current. Inside a transaction it holds the leader row (FOR SHARE) to the
 * commit, so no other member can take the lease while that transaction writes.
 */
export async function assertLeader(
  db: Kysely<Database> | Transaction<Database>,
  fence: Fence,
): Promise<void> {
  const row = await db
    .selectFrom('cluster_leader')
    .select('token')
    .where('id', '=', LEADER_ROW)
    .where('token', '=', fence.token)
    .where('lease_until', '>', DATABASE_NOW_MS)
    .forShare()
    .executeTakeFirst();
  if (!row) throw new FencedOutError(fence);
}
