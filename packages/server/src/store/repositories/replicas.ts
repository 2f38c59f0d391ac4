import type { Kysely, Selectable } from 'kysely';
import type { Health } from '../../model/health.js';
import type { Database, ReplicaTable } from '../database.js';
import type { ReplicaRecord, ReplicaRepository } from '../types.js';
import { chunks, nextTurn, takeExcluded, writeIsolating } from './batch.js';
import { storableInteger, storableNumber, storableOptionalText, storableText } from './storable.js';

const KEY_COLUMNS = ['service_id', 'node_id', 'replica_id'] as const;
const VALUE_COLUMNS = [
  'mode',
  'interval_s',
  'report_at',
  'load_cpu',
  'load_ram',
  'reported_health',
  'health',
  'reason',
  'since_at',
] as const;

export function replicaRepository(db: Kysely<Database>): ReplicaRepository {
  return {
    async list() {
      const rows = await db.selectFrom('replicas').selectAll().orderBy('seq').execute();
      return rows.map(toRecord);
    },
    upsert(records) {
      return writeIsolating(lastPerKey(records), (batch) =>
        db.transaction().execute(async (trx) => {
          for (const chunk of chunks(batch.map(toRow))) {
            await trx
              .insertInto('replicas')
              .values(chunk)
              .onConflict((conflict) =>
                conflict.columns(KEY_COLUMNS).doUpdateSet(takeExcluded<Database, 'replicas'>(VALUE_COLUMNS)),
              )
              .execute();
            await nextTurn();
          }
        }),
      );
    },
    remove(keys) {
      // Many keys per statement: forgetting a whole fleet deletes 100,000 rows in one flush.
      return writeIsolating(keys, (batch) =>
        db.transaction().execute(async (trx) => {
          for (const chunk of chunks(batch)) {
            await trx
              .deleteFrom('replicas')
              .where((eb) =>
                eb(
                  eb.refTuple('service_id', 'node_id', 'replica_id'),
                  'in',
                  chunk.map((key) =>
                    eb.tuple(
                      storableText('service_id', key.serviceId),
                      storableText('node_id', key.nodeId),
                      storableText('replica_id', key.replicaId),
                    ),
                  ),
                ),
              )
              .execute();
            await nextTurn();
          }
        }),
      );
    },
  };
}

/** PostgreSQL refuses to upsert one row twice in a statement; the latest record wins. */
function lastPerKey(records: readonly ReplicaRecord[]): ReplicaRecord[] {
  const byKey = new Map<string, ReplicaRecord>();
  for (const record of records) {
    byKey.set(JSON.stringify([record.serviceId, record.nodeId, record.replicaId]), record);
  }
  return [...byKey.values()];
}

/** The row, or an UnstorableValueError for a value the store cannot hold exactly. */
function toRow(record: ReplicaRecord) {
  return {
    service_id: storableText('service_id', record.serviceId),
    node_id: storableText('node_id', record.nodeId),
    replica_id: storableText('replica_id', record.replicaId),
    mode: record.mode,
    interval_s: storableInteger('interval_s', record.intervalSeconds),
    report_at: storableInteger('report_at', record.reportAtMs),
    load_cpu: record.load ? storableNumber('load_cpu', record.load.cpu) : null,
    load_ram: record.load ? storableNumber('load_ram', record.load.ram) : null,
    reported_health: record.reportedHealth ?? null,
    health: record.health,
    reason: storableOptionalText('reason', record.reason),
    since_at: storableInteger('since_at', record.sinceMs),
  };
}

function toRecord(row: Selectable<ReplicaTable>): ReplicaRecord {
  const record: ReplicaRecord = {
    serviceId: row.service_id,
    nodeId: row.node_id,
    replicaId: row.replica_id,
    mode: row.mode === 'local' ? 'local' : 'push',
    intervalSeconds: row.interval_s,
    reportAtMs: row.report_at,
    health: row.health as Health,
    sinceMs: row.since_at,
  };
  if (row.load_cpu !== null && row.load_ram !== null) record.load = { cpu: row.load_cpu, ram: row.load_ram };
  if (row.reported_health !== null) record.reportedHealth = row.reported_health as Health;
  if (row.reason !== null) record.reason = row.reason;
  return record;
}
