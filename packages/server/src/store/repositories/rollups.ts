import type { Kysely, Selectable } from 'kysely';
import { BUCKET_MS, seriesKeyString } from '../../history/rollup/buckets.js';
import type { Database, RollupTable } from '../database.js';
import {
  type HealthTotals,
  RESOLUTIONS,
  type Resolution,
  type RollupRepository,
  type RollupRow,
  type SeriesKind,
} from '../types.js';
import { chunks, nextTurn, takeExcluded, writeIsolating } from './batch.js';
import { storableInteger, storableText } from './storable.js';

const TABLES = {
  minute: 'rollup_minute',
  hour: 'rollup_hour',
  day: 'rollup_day',
} as const satisfies Record<Resolution, keyof Database>;

/** Rows per rollup upsert (see `write`). */
const ROLLUP_ROWS_PER_STATEMENT = 50;

const VALUE_COLUMNS = [
  'healthy_s',
  'sick_s',
  'dead_s',
  'maintenance_s',
  'samples',
  'p50_ms',
  'p95_ms',
  'max_ms',
] as const;

export function rollupRepository(db: Kysely<Database>): RollupRepository {
  const listSeries = async () => {
    const rows = await db.selectFrom('series').selectAll().orderBy('id').execute();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind as SeriesKind,
      serviceId: row.service_id,
      nodeId: row.node_id,
      replicaId: row.replica_id,
    }));
  };

  return {
    listSeries,

    async ensureSeries(keys) {
      // A new fleet of 100,000 replicas is 100,000 series: 500 per statement (4 parameters each,
      // where SQLite allows 32,766 per statement), in one transaction.
      const refused = await writeIsolating(keys, (batch) =>
        db.transaction().execute(async (trx) => {
          for (const chunk of chunks(batch)) {
            await trx
              .insertInto('series')
              .values(
                chunk.map((key) => ({
                  kind: key.kind,
                  service_id: storableText('service_id', key.serviceId),
                  node_id: storableText('node_id', key.nodeId),
                  replica_id: storableText('replica_id', key.replicaId),
                })),
              )
              .onConflict((conflict) =>
                conflict.columns(['kind', 'service_id', 'node_id', 'replica_id']).doNothing(),
              )
              .execute();
            await nextTurn();
          }
        }),
      );
      const all = keys.length > 0 ? await listSeries() : [];
      const wanted = new Set(keys.map(seriesKeyString));
      return { series: all.filter((series) => wanted.has(seriesKeyString(series))), refused };
    },

    write(batch) {
      const rows = RESOLUTIONS.flatMap((resolution) => batch[resolution].map((row) => ({ resolution, row })));
      return writeIsolating(rows, (some) =>
        db.transaction().execute(async (trx) => {
          for (const resolution of RESOLUTIONS) {
            const ofResolution = some.filter((each) => each.resolution === resolution);
            // 50 rows per statement, not 500: each statement is prepared anew, and at 20,000
            // replicas a minute's rows in 500-row upserts left the process ~400 MB larger (native
            // memory of the compiled statements, kept by the allocator), 50-row ones nothing to see.
            for (const chunk of chunks(ofResolution, ROLLUP_ROWS_PER_STATEMENT)) {
              await trx
                .insertInto(TABLES[resolution])
                .values(chunk.map((each) => toRow(each.row)))
                .onConflict((conflict) =>
                  conflict
                    .columns(['bucket', 'series_id'])
                    .doUpdateSet(takeExcluded<Database, 'rollup_minute'>(VALUE_COLUMNS)),
                )
                .execute();
              await nextTurn();
            }
          }
        }),
      ).then((refused) => refused.map(({ item, error }) => ({ item: item.row, error })));
    },

    async read(resolution, seriesId, fromMs, toMs) {
      // The key is (bucket, series): naming each bucket turns a scan of every series into point lookups.
      const buckets = bucketStarts(resolution, fromMs, toMs);
      if (buckets.length === 0) return [];
      const rows: Selectable<RollupTable>[] = [];
      for (const chunk of chunks(buckets, 1000)) {
        rows.push(
          ...(await db
            .selectFrom(TABLES[resolution])
            .selectAll()
            .where('bucket', 'in', chunk)
            .where('series_id', '=', seriesId)
            .orderBy('bucket')
            .execute()),
        );
      }
      return rows.map(toSummaryRow);
    },

    async readBucket(resolution, bucketMs, kind) {
      let query = db
        .selectFrom(TABLES[resolution])
        .selectAll()
        .where('bucket', '=', bucketMs / 1000);
      if (kind !== undefined)
        query = query.where('series_id', 'in', db.selectFrom('series').select('id').where('kind', '=', kind));
      const rows = await query.execute();
      return rows.map(toSummaryRow);
    },

    async totals(resolution, seriesIds, fromMs, toMs) {
      const totals = new Map<number, HealthTotals>();
      const sum = (ids: readonly number[] | undefined) => {
        let query = db
          .selectFrom(TABLES[resolution])
          .select((eb) => [
            'series_id',
            eb.fn.sum<number>('healthy_s').as('healthy'),
            eb.fn.sum<number>('sick_s').as('sick'),
            eb.fn.sum<number>('dead_s').as('dead'),
            eb.fn.sum<number>('maintenance_s').as('maintenance'),
          ])
          .where('bucket', '>=', Math.ceil(fromMs / 1000))
          .where('bucket', '<', Math.ceil(toMs / 1000));
        if (ids) query = query.where('series_id', 'in', ids);
        return query.groupBy('series_id').execute();
      };
      const batches = seriesIds === undefined ? [undefined] : [...chunks(seriesIds, 1000)];
      for (const ids of batches) {
        for (const row of await sum(ids)) {
          const figures: HealthTotals = {
            healthySeconds: Number(row.healthy),
            sickSeconds: Number(row.sick),
            deadSeconds: Number(row.dead),
          };
          if (Number(row.maintenance) > 0) figures.maintenanceSeconds = Number(row.maintenance);
          totals.set(row.series_id, figures);
        }
      }
      return totals;
    },

    async prune(resolution, beforeMs) {
      const result = await db
        .deleteFrom(TABLES[resolution])
        .where('bucket', '<', Math.ceil(beforeMs / 1000))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/** Bucket starts in seconds with `fromMs <= start < toMs`. */
function bucketStarts(resolution: Resolution, fromMs: number, toMs: number): number[] {
  const size = BUCKET_MS[resolution];
  const starts: number[] = [];
  for (let start = Math.ceil(fromMs / size) * size; start < toMs; start += size) starts.push(start / 1000);
  return starts;
}

function toRow(row: RollupRow): Selectable<RollupTable> {
  return {
    bucket: storableInteger('bucket', row.bucketMs / 1000),
    series_id: storableInteger('series_id', row.seriesId),
    healthy_s: storableInteger('healthy_s', Math.round(row.healthySeconds)),
    sick_s: storableInteger('sick_s', Math.round(row.sickSeconds)),
    dead_s: storableInteger('dead_s', Math.round(row.deadSeconds)),
    maintenance_s: storableInteger('maintenance_s', Math.round(row.maintenanceSeconds ?? 0)),
    samples: storableInteger('samples', row.samples),
    p50_ms: roundOrNull('p50_ms', row.p50Ms),
    p95_ms: roundOrNull('p95_ms', row.p95Ms),
    max_ms: roundOrNull('max_ms', row.maxMs),
  };
}

function roundOrNull(column: string, value: number | undefined): number | null {
  return value === undefined ? null : storableInteger(column, Math.round(value));
}

function toSummaryRow(row: Selectable<RollupTable>): RollupRow {
  const summary: RollupRow = {
    seriesId: row.series_id,
    bucketMs: row.bucket * 1000,
    healthySeconds: row.healthy_s,
    sickSeconds: row.sick_s,
    deadSeconds: row.dead_s,
    samples: row.samples,
  };
  if (row.maintenance_s > 0) summary.maintenanceSeconds = row.maintenance_s;
  if (row.p50_ms !== null) summary.p50Ms = row.p50_ms;
  if (row.p95_ms !== null) summary.p95Ms = row.p95_ms;
  if (row.max_ms !== null) summary.maxMs = row.max_ms;
  return summary;
}
