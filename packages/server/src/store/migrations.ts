import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  sql,
} from 'kysely';
import type { StorageEngine } from './types.js';

/**
 * Versioned schema changes, one list for both engines; the few dialect differences (serial keys,
 * SQLite's WITHOUT ROWID) are spelled out where they occur. Never edit a released migration: add one.
 */
export function migrationProvider(engine: StorageEngine): MigrationProvider {
  return { getMigrations: async () => migrations(engine) };
}

function migrations(engine: StorageEngine): Record<string, Migration> {
  /** An insertion-ordered integer key the database assigns. */
  const serial = <T extends string>(table: CreateTableBuilder<string, T>, column: string) =>
    engine === 'postgres'
      ? table.addColumn(column, 'bigserial', (col) => col.primaryKey())
      : table.addColumn(column, 'integer', (col) => col.primaryKey().autoIncrement());
  const required = (col: ColumnDefinitionBuilder) => col.notNull();

  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await serial(db.schema.createTable('announcements'), 'seq')
          .addColumn('id', 'text', (col) => col.notNull().unique())
          .addColumn('title', 'text', required)
          .addColumn('text', 'text', required)
          .addColumn('created_at', 'bigint', required)
          .addColumn('severity', 'text')
          .addColumn('expires_at', 'bigint')
          .execute();

        await db.schema
          .createTable('settings')
          .addColumn('key', 'text', (col) => col.primaryKey())
          .addColumn('value', 'text', required)
          .execute();

        await serial(db.schema.createTable('replicas'), 'seq')
          .addColumn('service_id', 'text', required)
          .addColumn('node_id', 'text', required)
          .addColumn('replica_id', 'text', required)
          .addColumn('mode', 'text', required)
          .addColumn('interval_s', 'bigint', required)
          .addColumn('report_at', 'bigint', required)
          .addColumn('load_cpu', 'double precision')
          .addColumn('load_ram', 'double precision')
          .addColumn('reported_health', 'text')
          .addColumn('health', 'text', required)
          .addColumn('reason', 'text')
          .addColumn('since_at', 'bigint', required)
          .addUniqueConstraint('replicas_key', ['service_id', 'node_id', 'replica_id'])
          .execute();

        await db.schema
          .createTable('outbox')
          .addColumn('alert_id', 'text', required)
          .addColumn('channel', 'text', required)
          .addColumn('alert', 'text', required)
          .addColumn('state', 'text', required)
          .addColumn('attempts', 'integer', required)
          .addColumn('created_at', 'bigint', required)
          .addColumn('due_at', 'bigint', required)
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', 'bigint')
          .addColumn('finished_at', 'bigint')
          .addColumn('last_error', 'text')
          .addPrimaryKeyConstraint('outbox_key', ['alert_id', 'channel'])
          .execute();
        await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'due_at']).execute();

        await serial(db.schema.createTable('outbox_attempts'), 'seq')
          .addColumn('alert_id', 'text', required)
          .addColumn('channel', 'text', required)
          .addColumn('attempt', 'integer', required)
          .addColumn('at', 'bigint', required)
          .addColumn('ok', 'integer', required)
          .addColumn('error', 'text')
          .execute();
        await db.schema
          .createIndex('outbox_attempts_alert')
          .on('outbox_attempts')
          .column('alert_id')
          .execute();

        await serial(db.schema.createTable('series'), 'id')
          .addColumn('kind', 'text', required)
          .addColumn('service_id', 'text', required)
          .addColumn('node_id', 'text', required)
          .addColumn('replica_id', 'text', required)
          .addUniqueConstraint('series_key', ['kind', 'service_id', 'node_id', 'replica_id'])
          .execute();

        for (const table of ['rollup_minute', 'rollup_hour', 'rollup_day']) {
          // Time-major keys: each batch appends at the end of the tree, and uptime over all nodes is one range.
          const created = db.schema
            .createTable(table)
            .addColumn('bucket', 'bigint', required)
            .addColumn('series_id', 'integer', required)
            .addColumn('healthy_s', 'integer', required)
            .addColumn('sick_s', 'integer', required)
            .addColumn('dead_s', 'integer', required)
            .addColumn('samples', 'integer', required)
            .addColumn('p50_ms', 'integer')
            .addColumn('p95_ms', 'integer')
            .addColumn('max_ms', 'integer')
            .addPrimaryKeyConstraint(`${table}_key`, ['bucket', 'series_id']);
          // The key is the table: no hidden rowid, no second copy of the key (a third of the size).
          await (engine === 'sqlite' ? created.modifyEnd(sql`without rowid`) : created).execute();
        }

        await db.schema
          .createTable('incidents')
          .addColumn('id', 'text', (col) => col.primaryKey())
          .addColumn('scope', 'text', required)
          .addColumn('service_id', 'text', required)
          .addColumn('node_id', 'text', required)
          .addColumn('started_at', 'bigint', required)
          .addColumn('ended_at', 'bigint')
          .addColumn('worst', 'text', required)
          .addColumn('replicas', 'text', required)
          .addColumn('reasons', 'text', required)
          .execute();
        await db.schema
          .createIndex('incidents_started')
          .on('incidents')
          .columns(['started_at', 'id'])
          .execute();
        await db.schema.createIndex('incidents_ended').on('incidents').column('ended_at').execute();

        await db.schema
          .createTable('runs')
          .addColumn('id', 'text', (col) => col.primaryKey())
          .addColumn('started_at', 'bigint', required)
          .addColumn('last_seen_at', 'bigint', required)
          .addColumn('stopped_at', 'bigint')
          .execute();
        await db.schema.createIndex('runs_started').on('runs').column('started_at').execute();
      },
    },
    '0002_watcher_states': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('watcher_states')
          .addColumn('key', 'text', (col) => col.primaryKey())
          .addColumn('state', 'text', required)
          .execute();
        // 0001 kept only the page watcher's state, in `settings`, in the store's old shape.
        const { rows } = await sql<{ value: string }>`
          select value from settings where key = 'alert_state'`.execute(db);
        const old = rows[0] && (JSON.parse(rows[0].value) as Record<string, unknown>);
        if (old) {
          const { pageStatus, ...counters } = old;
          const state = JSON.stringify({ ...counters, lastStatus: pageStatus, lastReplicas: [] });
          await sql`insert into watcher_states (key, state) values ('page', ${state})`.execute(db);
          await sql`delete from settings where key = 'alert_state'`.execute(db);
        }
        // GET /manager/notifications pages through every item, newest first.
        await db.schema
          .createIndex('outbox_recent')
          .on('outbox')
          .columns(['created_at', 'alert_id', 'channel'])
          .execute();
      },
    },
    '0003_maintenance_windows': {
      async up(db: Kysely<unknown>) {
        await serial(db.schema.createTable('maintenance_windows'), 'seq')
          .addColumn('id', 'text', (col) => col.notNull().unique())
          .addColumn('title', 'text', required)
          .addColumn('text', 'text', required)
          .addColumn('starts_at', 'bigint', required)
          .addColumn('ends_at', 'bigint', required)
          .addColumn('services', 'text', required)
          .addColumn('nodes', 'text', required)
          .addColumn('created_at', 'bigint', required)
          .execute();
        // Both reads are ranges of end times: windows not over yet, and past ones newest first.
        await db.schema
          .createIndex('maintenance_windows_ends')
          .on('maintenance_windows')
          .columns(['ends_at', 'id'])
          .execute();
        // Time under maintenance counts apart from health, so it never counts against uptime.
        for (const table of ['rollup_minute', 'rollup_hour', 'rollup_day']) {
          await db.schema
            .alterTable(table)
            .addColumn('maintenance_s', 'integer', (col) => col.notNull().defaultTo(0))
            .execute();
        }
      },
    },
    '0004_cluster': {
      async up(db: Kysely<unknown>) {
        // Only a [cluster] on PostgreSQL uses these (docs/cluster.md); times are the database's, in ms.
        await db.schema
          .createTable('cluster_members')
          .addColumn('instance_id', 'text', (col) => col.primaryKey())
          .addColumn('vantage', 'text', required)
          .addColumn('started_at', 'bigint', required)
          .addColumn('heartbeat_at', 'bigint', required)
          .addColumn('lease_ms', 'bigint', required)
          .execute();
        // One row: who decides and sends alerts, until when, under which fencing token.
        await db.schema
          .createTable('cluster_leader')
          .addColumn('id', 'integer', (col) => col.primaryKey())
          .addColumn('holder', 'text', required)
          .addColumn('token', 'bigint', required)
          .addColumn('acquired_at', 'bigint', required)
          .addColumn('lease_until', 'bigint', required)
          .execute();
        // The leader token a delivery was claimed under: a newer leader takes over an older one's claims.
        await db.schema.alterTable('outbox').addColumn('lease_token', 'bigint').execute();
      },
    },
    '0005_declared_incidents': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('declared_incidents')
          .addColumn('id', 'text', (col) => col.primaryKey())
          .addColumn('title', 'text', required)
          .addColumn('started_at', 'bigint', required)
          .addColumn('status', 'text', required)
          .addColumn('resolved_at', 'bigint')
          .addColumn('services', 'text', required)
          .addColumn('nodes', 'text', required)
          .execute();
        await db.schema
          .createIndex('declared_incidents_started')
          .on('declared_incidents')
          .columns(['started_at', 'id'])
          .execute();
        await db.schema
          .createIndex('declared_incidents_resolved')
          .on('declared_incidents')
          .column('resolved_at')
          .execute();
        await db.schema
          .createTable('incident_updates')
          .addColumn('id', 'text', (col) => col.primaryKey())
          .addColumn('incident_id', 'text', required)
          .addColumn('at', 'bigint', required)
          .addColumn('status', 'text', required)
          .addColumn('message', 'text', required)
          .execute();
        await db.schema
          .createIndex('incident_updates_incident')
          .on('incident_updates')
          .columns(['incident_id', 'at'])
          .execute();
      },
    },
    '0006_subscriptions': {
      async up(db: Kysely<unknown>) {
        // Email subscribers (pending until confirmed) and webhook subscriptions, one row per target.
        await db.schema
          .createTable('subscriptions')
          .addColumn('id', 'text', (col) => col.primaryKey())
          .addColumn('kind', 'text', required)
          .addColumn('target', 'text', required)
          .addColumn('state', 'text', required)
          .addColumn('created_at', 'bigint', required)
          .addColumn('confirmed_at', 'bigint')
          .addColumn('expires_at', 'bigint')
          .addUniqueConstraint('subscriptions_target', ['kind', 'target'])
          .execute();
        // Feed entries (id and update time) subscribers were already told about, claimed by one instance.
        await db.schema
          .createTable('feed_published')
          .addColumn('entry_key', 'text', (col) => col.primaryKey())
          .addColumn('published_at', 'bigint', required)
          .execute();
      },
    },
  };
}
