import type { Resolution, SeriesKey } from '../../store/types.js';

export const BUCKET_MS: Record<Resolution, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Start of the bucket holding `atMs` (UTC: days start at midnight UTC). */
export function bucketStart(resolution: Resolution, atMs: number): number {
  const size = BUCKET_MS[resolution];
  return Math.floor(atMs / size) * size;
}

/** A series as one string, for maps: collision-free whatever the ids contain. */
export function seriesKeyString(key: SeriesKey): string {
  return JSON.stringify([key.kind, key.serviceId, key.nodeId, key.replicaId]);
}
