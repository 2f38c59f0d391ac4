import type { HealthTotals, Resolution, RollupRow, Run, SeriesKey, Store } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { BUCKET_MS, bucketStart, seriesKeyString } from './rollup/buckets.js';
import { TotalsTable } from './totals-table.js';

/** The windows uptime is reported over, and the rollup each one reads. */
export const UPTIME_WINDOWS = {
  '24h': { buckets: 24, resolution: 'hour' },
  '7d': { buckets: 7 * 24, resolution: 'hour' },
  '30d': { buckets: 30, resolution: 'day' },
  '90d': { buckets: 90, resolution: 'day' },
} as const satisfies Record<string, { buckets: number; resolution: Resolution }>;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;

export interface Uptime extends HealthTotals {
  /** Share of the window with data (Vigil TS running), maintenance included; the rest is a gap. */
  coverage: number;
  /**
   * Share of the covered time outside maintenance that was not dead (sick counts as up, degraded);
   * null without such time.
   */
  uptime: number | null;
  /** Share of the covered time outside maintenance that was healthy; null without such time. */
  healthy: number | null;
}

/** A period with no data: Vigil TS was not running. */
export interface Gap {
  fromMs: number;
  toMs: number;
}

const ZERO: HealthTotals = { healthySeconds: 0, sickSeconds: 0, deadSeconds: 0 };

/**
 * Read side of the history: uptime over fixed windows, series of buckets, and gaps. Closed buckets
 * never change, so their sums are cached until the window moves on by a bucket; only the open
 * bucket is read each time.
 */
export class HistoryReader {
  /** Ids of series asked for that `knownId` did not know: not a copy of every series' key. */
  private readonly seriesIds = new Map<string, number>();
  private closedTotals = new Map<string, Promise<TotalsTable>>();

  constructor(
    private readonly store: Pick<Store, 'rollups' | 'runs'>,
    private readonly clock: Clock,
    /** This process's run: it lasts until now, not until its last heartbeat. */
    private readonly currentRunId?: string,
    /** The ids the recorder of this process gave its series (asked first). */
    private readonly knownId: (key: SeriesKey) => number | undefined = () => undefined,
  ) {}

  /** Uptime of each series over the window ending now, in the order asked. */
  async uptime(
    keys: readonly SeriesKey[],
    window: UptimeWindow,
  ): Promise<Array<Uptime & { key: SeriesKey }>> {
    const { buckets, resolution } = UPTIME_WINDOWS[window];
    const now = this.clock.now();
    const openStart = bucketStart(resolution, now);
    const fromMs = openStart - (buckets - 1) * BUCKET_MS[resolution];
    const ids = await this.ids(keys);
    // The open bucket holds one row per series at most: summing them all is cheaper than naming a thousand.
    const [closed, open] = await Promise.all([
      this.closed(resolution, fromMs, openStart),
      this.store.rollups.totals(resolution, undefined, openStart, openStart + BUCKET_MS[resolution]),
    ]);
    const windowSeconds = (now - fromMs) / 1000;
    return keys.map((key, index) => {
      const id = ids[index];
      const totals = id === undefined ? ZERO : add(closed.get(id) ?? ZERO, open.get(id) ?? ZERO);
      return { key, ...describeUptime(totals, windowSeconds) };
    });
  }

  /**
   * Sums the closed buckets of every window ahead of requests; cheap when they are cached already.
   * Called after each history flush, so the first request after an hour or a day rolls over does
   * not pay for the new window.
   */
  async warm(): Promise<void> {
    const now = this.clock.now();
    for (const { buckets, resolution } of Object.values(UPTIME_WINDOWS)) {
      const openStart = bucketStart(resolution, now);
      await this.closed(resolution, openStart - (buckets - 1) * BUCKET_MS[resolution], openStart);
    }
  }

  /** Buckets of one series, oldest first; an unknown series has none. */
  async series(key: SeriesKey, resolution: Resolution, fromMs: number, toMs: number): Promise<RollupRow[]> {
    const [id] = await this.ids([key]);
    return id === undefined ? [] : this.store.rollups.read(resolution, id, fromMs, toMs);
  }

  /**
   * Rows of many series in one bucket, in the order asked (undefined where a series has none):
   * one query for a whole page of nodes, where `series` would take one per node.
   */
  async bucket(
    keys: readonly SeriesKey[],
    resolution: Resolution,
    bucketMs: number,
  ): Promise<Array<RollupRow | undefined>> {
    const ids = await this.ids(keys);
    // Series of one kind (the page's nodes) are read alone: not 100,000 replicas' rows to drop.
    const kind = keys[0]?.kind;
    const oneKind = keys.every((key) => key.kind === kind);
    const rows = await this.store.rollups.readBucket(resolution, bucketMs, oneKind ? kind : undefined);
    const byId = new Map(rows.map((row) => [row.seriesId, row]));
    return ids.map((id) => (id === undefined ? undefined : byId.get(id)));
  }

  /** Periods in `[fromMs, toMs)` outside every run of Vigil TS. */
  async gaps(fromMs: number, toMs: number): Promise<Gap[]> {
    const runs = await this.store.runs.list(fromMs, toMs);
    const now = this.clock.now();
    return gapsBetween(
      runs.map((run) => (run.id === this.currentRunId ? { ...run, lastSeenAtMs: now } : run)),
      fromMs,
      toMs,
    );
  }

  private async ids(keys: readonly SeriesKey[]): Promise<Array<number | undefined>> {
    const idOf = (key: SeriesKey) => this.knownId(key) ?? this.seriesIds.get(seriesKeyString(key));
    const missing = new Set<string>();
    for (const key of keys) if (idOf(key) === undefined) missing.add(seriesKeyString(key));
    if (missing.size > 0) {
      for (const each of await this.store.rollups.listSeries()) {
        const key = seriesKeyString(each);
        if (missing.has(key)) this.seriesIds.set(key, each.id);
      }
    }
    return keys.map(idOf);
  }

  /** Sums of every series over closed buckets, cached for this exact range (the latest one per resolution). */
  private closed(resolution: Resolution, fromMs: number, toMs: number): Promise<TotalsTable> {
    const cacheKey = `${resolution}:${fromMs}:${toMs}`;
    let totals = this.closedTotals.get(cacheKey);
    if (!totals) {
      for (const key of this.closedTotals.keys())
        if (key.startsWith(`${resolution}:`)) this.closedTotals.delete(key);
      totals = this.store.rollups
        .totals(resolution, undefined, fromMs, toMs)
        .then((each) => new TotalsTable(each));
      totals.catch(() => this.closedTotals.delete(cacheKey));
      this.closedTotals.set(cacheKey, totals);
    }
    return totals;
  }
}

function add(a: HealthTotals, b: HealthTotals): HealthTotals {
  const sum: HealthTotals = {
    healthySeconds: a.healthySeconds + b.healthySeconds,
    sickSeconds: a.sickSeconds + b.sickSeconds,
    deadSeconds: a.deadSeconds + b.deadSeconds,
  };
  const maintenanceSeconds = (a.maintenanceSeconds ?? 0) + (b.maintenanceSeconds ?? 0);
  if (maintenanceSeconds > 0) sum.maintenanceSeconds = maintenanceSeconds;
  return sum;
}

/** Maintenance time is covered time, yet neither up nor down: it counts for coverage only. */
function describeUptime(totals: HealthTotals, windowSeconds: number): Uptime {
  const observed = totals.healthySeconds + totals.sickSeconds + totals.deadSeconds;
  const covered = observed + (totals.maintenanceSeconds ?? 0);
  return {
    ...totals,
    coverage: windowSeconds > 0 ? Math.min(1, covered / windowSeconds) : 0,
    uptime: observed > 0 ? (observed - totals.deadSeconds) / observed : null,
    healthy: observed > 0 ? totals.healthySeconds / observed : null,
  };
}

/** The complement of the runs within the range; a run that crashed ends at its last heartbeat. */
function gapsBetween(runs: readonly Run[], fromMs: number, toMs: number): Gap[] {
  const gaps: Gap[] = [];
  let cursor = fromMs;
  for (const run of [...runs].sort((a, b) => a.startedAtMs - b.startedAtMs)) {
    if (run.startedAtMs > cursor) gaps.push({ fromMs: cursor, toMs: Math.min(run.startedAtMs, toMs) });
    cursor = Math.max(cursor, run.stoppedAtMs ?? run.lastSeenAtMs);
    if (cursor >= toMs) return gaps;
  }
  if (cursor < toMs) gaps.push({ fromMs: cursor, toMs });
  return gaps;
}
