import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  emptyBatch,
  type Priors,
  RollupAggregator,
  type SeriesBatch,
  type SeriesRow,
} from '../history/rollup/aggregator.js';
import { bucketStart, seriesKeyString } from '../history/rollup/buckets.js';
import { ModelSeries } from '../history/rollup/model-series.js';
import { IncidentTracker } from '../incidents/tracker.js';
import type { MaintenanceView } from '../maintenance/types.js';
import type { HealthModel } from '../model/health-model.js';
import { type Clock, setLongTimeout } from '../time/clock.js';
import { HeldHistory } from './held-history.js';
import { logRefusals, printableId } from './refusal-log.js';
import { ReplicaSync } from './replica-sync.js';
import { nextTurn } from './repositories/batch.js';
import { pruneExpired, type Retention } from './retention.js';
import { SerialQueue } from './serial.js';
import {
  RESOLUTIONS,
  type RollupBatch,
  type RollupRow,
  type Series,
  type SeriesKey,
  type Store,
} from './types.js';

export interface RecorderOptions {
  store: Store;
  model: HealthModel;
  clock: Clock;
  logger: Pick<Logger, 'error' | 'warn' | 'info'>;
  flushIntervalMs: number;
  retention: Retention;
  /** Runs after each flush, e.g. to precompute history queries. */
  afterFlush?: () => Promise<void>;
  /** This run's id in the runs table; a new one by default. */
  runId?: string;
  /** Nodes under maintenance open no incident, and their time counts apart in the history. */
  maintenance?: Pick<MaintenanceView, 'isUnderMaintenance' | 'onChange'>;
  /**
   * Whether this instance writes history rollups and incidents; true by default. In a cluster only
   * the alert leader does (`setWritingHistory`), so a shared database holds one view of each series.
   */
  writesHistory?: boolean;
}

const PRUNE_INTERVAL_MS = 3_600_000;
/** Rows kept for a store that refuses writes; past this the oldest minutes are dropped (a gap). */
const MAX_UNWRITTEN_ROWS = 500_000;
/** Series or rows handled per turn of the event loop in a flush, so requests are answered between. */
const SLICE = 5000;
/**
 * A member that does not write history keeps the rows of buckets that ended this recently (and one
 * flush interval more), and writes them if it becomes the writer: the minutes between the old
 * writer's last flush and the takeover (a lease and a flush interval) are then written from its view
 * instead of missing, and so are those of a time nobody led (PostgreSQL down) up to this long.
 */
const HELD_HISTORY_MS = 10 * 60_000;

/**
 * The model's memory: feeds history rollups, incidents and push/local replica records from the
 * model's events, and writes them in batches every `flushIntervalMs`. Event handlers only touch
 * memory; the reporter's hot path never waits for the database. Also records this run (gaps).
 */
export class Recorder {
  private readonly writes = new SerialQueue();
  /** Series the store refused (an id it cannot hold): their rows are dropped, not retried each flush. */
  private readonly refusedSeries = new Set<string>();
  private readonly unsubscribe: Array<() => void> = [];
  private unwritten: SeriesBatch = emptyBatch();
  /** While this member does not write history: the recent rows, to write if it becomes the writer. */
  private readonly held: HeldHistory;
  private cancelTimer: (() => void) | undefined;
  private lastPruneMs = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private writingHistory: boolean;

  private constructor(
    private readonly options: RecorderOptions,
    /** This run's id in the runs table. */
    readonly runId: string,
    private readonly aggregator: RollupAggregator,
    private readonly replicas: ReplicaSync,
    private readonly incidents: IncidentTracker,
    private readonly series: ModelSeries,
  ) {
    this.writingHistory = options.writesHistory ?? true;
    this.held = new HeldHistory(HELD_HISTORY_MS + options.flushIntervalMs, (key) => series.indexOf(key));
  }

  /** Loads what the last run left open (rollup buckets, incidents), starts this run and the timer. */
  static async start(options: RecorderOptions): Promise<Recorder> {
    const { store, model, clock } = options;
    const now = clock.now();
    const series = await store.rollups.listSeries();
    const priors = await loadPriors(store, series, now);
    const aggregator = new RollupAggregator((key) => priors.get(seriesKeyString(key)) ?? {});
    const { maintenance } = options;
    const exempt =
      maintenance &&
      ((serviceId: string, nodeId: string) => maintenance.isUnderMaintenance(serviceId, nodeId));
    const modelSeries = new ModelSeries(aggregator, model, now, exempt);
    const runId = options.runId ?? randomUUID();
    await store.runs.start({ id: runId, startedAtMs: now, lastSeenAtMs: now });

    const recorder = new Recorder(
      options,
      runId,
      aggregator,
      new ReplicaSync(model, options.logger),
      new IncidentTracker(model, (incident) => recorder.saveIncident(incident), randomUUID, exempt),
      modelSeries,
    );
    // Only the series this run tracks keep their id; others' rows, if any, find theirs when written.
    for (const each of series) {
      const index = modelSeries.indexOf(each);
      if (index !== undefined) aggregator.setStoreId(index, each.id);
    }
    recorder.incidents.restore(await store.incidents.listOpen(), now);
    recorder.subscribe();
    await recorder.flush();
    return recorder;
  }

  /** The store's id of a series this recorder wrote or found at start. */
  seriesId(key: SeriesKey): number | undefined {
    const index = this.series.indexOf(key);
    return index === undefined ? undefined : this.aggregator.storeId(index);
  }

  /** Writes what accumulated since the last flush; the timer calls it, tests and shutdown too. */
  flush(): Promise<void> {
    return this.writes.run(async () => {
      const steps = this.aggregator.drainInSlices(this.options.clock.now(), SLICE);
      let step = steps.next();
      for (; !step.done; step = steps.next()) await nextTurn();
      const batch = step.value;
      this.series.forgetFinished();
      await this.write(batch);
    });
  }

  /**
   * Writes the push and local replicas that changed, now rather than at the next flush. A change
   * of health or a removal calls it at once (they are rare; reports, which only move the report
   * time, wait for the flush), and the dispatcher awaits it before it stores an alert state: the
   * replicas a restart restores are never older than the alert state it restores. Never rejects:
   * a failure is logged, and the marks are kept for the next write.
   */
  saveReplicas(): Promise<void> {
    return this.attempt('write push and local replicas', () =>
      this.replicas.write(this.options.store.replicas),
    );
  }

  /**
   * Starts or stops writing history rollups and incidents (a cluster member gaining or losing the
   * alert leader's lease). On starting, the stored open incidents replace this member's own for the
   * same subjects, keeping their ids, and the rows it held are written at once.
   */
  async setWritingHistory(writing: boolean): Promise<void> {
    if (writing === this.writingHistory || this.stopped) return;
    this.writingHistory = writing;
    if (!writing) return;
    await this.writes.run(() =>
      this.attempt('take over open incidents', async () => {
        const stored = await this.options.store.incidents.listOpen();
        if (this.writingHistory) this.incidents.adopt(stored, this.options.clock.now());
      }),
    );
    await this.flush();
  }

  /** Unsubscribes, writes the open minutes as they stand, and marks the run stopped. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer?.();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    await this.replicas.idle();
    const now = this.options.clock.now();
    await this.writes.run(async () => {
      if (this.writingHistory) await this.write(this.aggregator.close(now));
      await this.options.store.runs.stop(this.runId, now);
    });
  }

  private subscribe(): void {
    const { model } = this.options;
    const series = this.series;
    const events = model.events;
    this.unsubscribe.push(
      events.on('replica-observed', (event) => {
        series.observed(event, event.latencyMs, event.atMs);
        this.replicas.mark(event);
      }),
      events.on('reconfigured', ({ atMs }) => series.follow(model, atMs)),
      events.on('replica-added', (ref) => {
        series.replicaChanged(ref, 'healthy', this.options.clock.now());
        this.replicas.mark(ref);
      }),
      events.on('replica-changed', ({ subject, current, reason, atMs }) => {
        series.replicaChanged(subject, current, atMs);
        this.replicas.mark(subject);
        void this.saveReplicas();
        this.incidents.replicaChanged(subject, current, reason, atMs);
      }),
      events.on('replica-removed', (ref) => {
        series.replicaChanged(ref, undefined, this.options.clock.now());
        this.replicas.markRemoved(ref);
        void this.saveReplicas();
      }),
      events.on('node-changed', ({ subject, current, atMs }) => {
        series.nodeChanged(subject.serviceId, subject.nodeId, current, atMs);
        this.incidents.nodeChanged(subject.serviceId, subject.nodeId, current, atMs);
      }),
      events.on('service-changed', ({ subject, current, atMs }) =>
        series.serviceChanged(subject.serviceId, current, atMs),
      ),
      events.on('page-changed', ({ current, atMs }) => {
        series.pageChanged(current, atMs);
        this.incidents.pageChanged(current, atMs);
      }),
    );
    const { maintenance, clock } = this.options;
    if (maintenance) {
      this.unsubscribe.push(
        maintenance.onChange(() => {
          const now = clock.now();
          series.exemptionsChanged(model, now);
          this.incidents.exemptionsChanged(now);
        }),
      );
    }
  }

  private saveIncident(incident: Parameters<Store['incidents']['save']>[0]): void {
    // Another member writes them; this one keeps following them in memory, to take over.
    if (!this.writingHistory) return;
    const snapshot = structuredClone(incident);
    this.writes
      .run(() => this.options.store.incidents.save(snapshot))
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'cannot store an incident'));
  }

  private async write(batch: SeriesBatch): Promise<void> {
    const { store, clock } = this.options;
    const now = clock.now();
    // Each part on its own: history that cannot be written must not keep replicas from being saved.
    await this.saveReplicas();
    if (this.writingHistory) {
      // Held rows first: the later row of a bucket is the one written.
      this.unwritten = joinBatches([this.held.take(), this.unwritten, batch]);
      await this.writeHistory();
      this.dropExcess();
    } else {
      // What it could not write while it led (the store away) is held with the rest.
      this.held.hold(this.unwritten, now);
      this.held.hold(batch, now);
      this.unwritten = emptyBatch();
    }
    this.incidents.reconcile(now);
    await this.attempt('write the run heartbeat', () => store.runs.heartbeat(this.runId, now));
    if (this.writingHistory && now - this.lastPruneMs >= PRUNE_INTERVAL_MS) {
      this.lastPruneMs = now;
      await this.attempt('delete expired history', () => pruneExpired(store, this.options.retention, now));
    }
    const { afterFlush } = this.options;
    if (afterFlush) await this.attempt('run the after-flush task', afterFlush);
    this.armTimer();
  }

  private async writeHistory(): Promise<void> {
    const { store } = this.options;
    await this.attempt('write history', async () => {
      const untracked = await this.resolveSeries(this.unwritten);
      const refused = await store.rollups.write(await this.withIds(this.unwritten, untracked));
      this.unwritten = emptyBatch();
      logRefusals(
        this.options.logger,
        'history rows',
        refused,
        (row) => `series ${row.seriesId} at ${new Date(row.bucketMs).toISOString()}`,
      );
    });
  }

  private async attempt(what: string, task: () => Promise<unknown>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.options.logger.error(
        { err: error },
        `cannot write ${what} to the store; trying again at the next flush`,
      );
    }
  }

  /**
   * Gives every new series its database id, in one round trip; the series refused are noted.
   * Returns the ids of series no longer tracked (rows of a replica let go before they were written).
   */
  private async resolveSeries(batch: SeriesBatch): Promise<Map<string, number>> {
    const missing = new Map<string, SeriesKey>();
    const untracked = new Map<string, number>();
    let done = 0;
    for (const resolution of RESOLUTIONS) {
      for (const row of batch[resolution]) {
        // A minute's end closes every series' minute at once: 100,000 replicas are 360,000 rows.
        if (++done % SLICE === 0) await nextTurn();
        if (this.seriesId(row.series) !== undefined) continue;
        const key = seriesKeyString(row.series);
        if (!this.refusedSeries.has(key)) missing.set(key, row.series);
      }
    }
    if (missing.size === 0) return untracked;
    const { series, refused } = await this.options.store.rollups.ensureSeries([...missing.values()]);
    for (const each of series) {
      const key = seriesKeyString(each);
      const index = this.series.indexOf(each);
      if (index === undefined) untracked.set(key, each.id);
      else this.aggregator.setStoreId(index, each.id);
      missing.delete(key);
    }
    for (const { item } of refused) missing.delete(seriesKeyString(item));
    // Stored, yet not found under its key: the store changed it, so its rows would never match.
    const changed = [...missing.values()].map((item) => ({
      item,
      error: new Error('stored under another key'),
    }));
    for (const { item } of [...refused, ...changed]) this.refusedSeries.add(seriesKeyString(item));
    logRefusals(
      this.options.logger,
      'history series (their rows are dropped)',
      [...refused, ...changed],
      (key) => `${key.kind} ${key.serviceId}:${key.nodeId}:${printableId(key.replicaId)}`,
    );
    return untracked;
  }

  /** Later rows of the same bucket replace earlier ones, so only the last is written. */
  private async withIds(batch: SeriesBatch, untracked: ReadonlyMap<string, number>): Promise<RollupBatch> {
    const convert = async (rows: readonly SeriesRow[]) => {
      // By bucket, then by series id: numbers, so a row costs no key string.
      const latest = new Map<number, Map<number, RollupRow>>();
      let done = 0;
      for (const { series, ...summary } of rows) {
        // A minute's end closes every series' minute at once: 100,000 replicas are 360,000 rows.
        if (++done % SLICE === 0) await nextTurn();
        let seriesId = this.seriesId(series);
        if (seriesId === undefined) {
          const key = seriesKeyString(series);
          if (this.refusedSeries.has(key)) continue;
          seriesId = untracked.get(key);
          if (seriesId === undefined) throw new Error(`history series ${key} has no id`);
        }
        let bucket = latest.get(summary.bucketMs);
        if (!bucket) {
          bucket = new Map();
          latest.set(summary.bucketMs, bucket);
        }
        bucket.set(seriesId, { ...summary, seriesId });
      }
      return [...latest.values()].flatMap((bucket) => [...bucket.values()]);
    };
    return {
      minute: await convert(batch.minute),
      hour: await convert(batch.hour),
      day: await convert(batch.day),
    };
  }

  private dropExcess(): void {
    const total = RESOLUTIONS.reduce((sum, resolution) => sum + this.unwritten[resolution].length, 0);
    if (total <= MAX_UNWRITTEN_ROWS) return;
    const dropped = this.unwritten.minute.splice(0, total - MAX_UNWRITTEN_ROWS);
    this.options.logger.warn(`the store is unreachable: ${dropped.length} minutes of history dropped`);
  }

  private armTimer(): void {
    if (this.stopped) return;
    this.cancelTimer?.();
    this.cancelTimer = setLongTimeout(
      this.options.clock,
      () => {
        this.flush().catch((error: unknown) =>
          this.options.logger.error({ err: error }, 'history flush failed'),
        );
      },
      this.options.flushIntervalMs,
    );
  }
}

/** The batches' rows in order, each resolution in one list. */
function joinBatches(batches: readonly SeriesBatch[]): SeriesBatch {
  const joined = emptyBatch();
  for (const resolution of RESOLUTIONS) {
    joined[resolution] = joined[resolution].concat(...batches.map((batch) => batch[resolution]));
  }
  return joined;
}

/** The stored rows of the buckets open now (a restart within the same minute, hour or day). */
async function loadPriors(
  store: Store,
  series: readonly Series[],
  nowMs: number,
): Promise<Map<string, Priors>> {
  const keyById = new Map(series.map((each) => [each.id, seriesKeyString(each)]));
  const priors = new Map<string, Priors>();
  for (const resolution of RESOLUTIONS) {
    for (const row of await store.rollups.readBucket(resolution, bucketStart(resolution, nowMs))) {
      const key = keyById.get(row.seriesId);
      if (key === undefined) continue;
      const { seriesId: _id, ...summary } = row;
      priors.set(key, { ...priors.get(key), [resolution]: summary });
    }
  }
  return priors;
}
