import type { Health } from '../../model/health.js';
import type { BucketSummary } from '../../store/types.js';

export const EMPTY_SUMMARY: Readonly<BucketSummary> = emptySummary();

/**
 * A new summary of nothing. A literal, not a spread of EMPTY_SUMMARY: V8 gives objects cloned by
 * spread whose fields then change type (whole seconds, then fractions) a hidden class each, ~200 bytes
 * per object, and every series holds several.
 */
export function emptySummary(): BucketSummary {
  return { healthySeconds: 0, sickSeconds: 0, deadSeconds: 0, samples: 0 };
}

/** What a series' time is counted as: a health, or maintenance (a node under a window), apart. */
export type SeriesState = Health | 'maintenance';

/**
 * A summary of time alone, from whole milliseconds per state (maintenance only when there was some,
 * as rows have it).
 */
export function timeSummary(
  healthyMs: number,
  sickMs: number,
  deadMs: number,
  maintenanceMs: number,
): BucketSummary {
  const summary = emptySummary();
  summary.healthySeconds = healthyMs / 1000;
  summary.sickSeconds = sickMs / 1000;
  summary.deadSeconds = deadMs / 1000;
  if (maintenanceMs > 0) summary.maintenanceSeconds = maintenanceMs / 1000;
  return summary;
}

/** Seconds of every state in the summary. */
export function totalSeconds(summary: BucketSummary): number {
  return (
    summary.healthySeconds + summary.sickSeconds + summary.deadSeconds + (summary.maintenanceSeconds ?? 0)
  );
}

/** No time and no latency: nothing worth a row. */
export function isEmptySummary(summary: BucketSummary): boolean {
  return totalSeconds(summary) === 0 && summary.samples === 0;
}

/** Exact percentiles (nearest rank) of the raw latencies of one minute, in ascending order. */
export function withSortedLatencies(summary: BucketSummary, sorted: ArrayLike<number>): BucketSummary {
  if (sorted.length === 0) return { ...summary };
  return {
    ...summary,
    samples: sorted.length,
    p50Ms: nearestRank(sorted, 0.5),
    p95Ms: nearestRank(sorted, 0.95),
    maxMs: sorted[sorted.length - 1],
  };
}

/**
 * One summary for several buckets: times and samples add up, the max is the max, and p50 / p95 are
 * the sample-weighted p50 / p95 of the parts' own. Exact percentiles would need every sample; this
 * keeps rows small and is close whenever latency is steady within each part.
 */
export function mergeSummaries(parts: readonly BucketSummary[]): BucketSummary {
  const merged = emptySummary();
  const withLatency = parts.filter((part) => part.samples > 0 && part.p50Ms !== undefined);
  for (const part of parts) {
    merged.healthySeconds += part.healthySeconds;
    merged.sickSeconds += part.sickSeconds;
    merged.deadSeconds += part.deadSeconds;
    if (part.maintenanceSeconds)
      merged.maintenanceSeconds = (merged.maintenanceSeconds ?? 0) + part.maintenanceSeconds;
  }
  if (withLatency.length === 0) return merged;
  merged.samples = withLatency.reduce((sum, part) => sum + part.samples, 0);
  merged.p50Ms = weightedRank(withLatency, (part) => part.p50Ms ?? 0, 0.5);
  merged.p95Ms = weightedRank(withLatency, (part) => part.p95Ms ?? 0, 0.95);
  merged.maxMs = Math.max(...withLatency.map((part) => part.maxMs ?? 0));
  return merged;
}

function nearestRank(sorted: ArrayLike<number>, quantile: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
  return sorted[index] ?? 0;
}

function weightedRank(
  parts: readonly BucketSummary[],
  value: (part: BucketSummary) => number,
  quantile: number,
): number {
  const sorted = [...parts].sort((a, b) => value(a) - value(b));
  const total = sorted.reduce((sum, part) => sum + part.samples, 0);
  let seen = 0;
  for (const part of sorted) {
    seen += part.samples;
    if (seen >= quantile * total) return value(part);
  }
  return value(sorted.at(-1) ?? parts[0] ?? EMPTY_SUMMARY);
}
