import { UPTIME_WINDOWS, type UptimeWindow } from '../../history/reader.js';
import { BUCKET_MS, bucketStart } from '../../history/rollup/buckets.js';

/** The detail page's periods: windows of `/api/v1/uptime`, so its figures match the API's. */
export const UPTIME_PERIODS = ['24h', '7d', '90d'] as const satisfies readonly UptimeWindow[];
export type UptimePeriod = (typeof UPTIME_PERIODS)[number];

export const isUptimePeriod = (value: unknown): value is UptimePeriod =>
  (UPTIME_PERIODS as readonly unknown[]).includes(value);

/** The buckets of a period ending at `nowMs`, oldest first: their resolution and their starts. */
export function periodBuckets(period: UptimePeriod, nowMs: number) {
  const { buckets, resolution } = UPTIME_WINDOWS[period];
  const size = BUCKET_MS[resolution];
  const last = bucketStart(resolution, nowMs);
  const starts = Array.from({ length: buckets }, (_, index) => last - (buckets - 1 - index) * size);
  return { resolution, size, starts };
}
