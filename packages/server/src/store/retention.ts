import type { StorageConfig } from '../config/schema.js';
import type { Resolution, Store } from './types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How long each kind of history is kept, from `[storage]`. */
export interface Retention {
  rollupMs: Record<Resolution, number>;
  incidentMs: number;
  outboxMs: number;
}

export function retentionFrom(storage: StorageConfig): Retention {
  return {
    rollupMs: {
      minute: storage.minute_retention_hours * HOUR_MS,
      hour: storage.hour_retention_days * DAY_MS,
      day: storage.day_retention_days * DAY_MS,
    },
    incidentMs: storage.incident_retention_days * DAY_MS,
    outboxMs: storage.outbox_retention_days * DAY_MS,
  };
}

/** Deletes what is older than its retention; returns how many rows went, by kind. */
export async function pruneExpired(store: Store, retention: Retention, nowMs: number) {
  const { minute, hour, day } = retention.rollupMs;
  return {
    minute: await store.rollups.prune('minute', nowMs - minute),
    hour: await store.rollups.prune('hour', nowMs - hour),
    day: await store.rollups.prune('day', nowMs - day),
    incidents: await store.incidents.prune(nowMs - retention.incidentMs),
    // After the detected incidents, so their updates go with them.
    declaredIncidents: await store.declaredIncidents.prune(nowMs - retention.incidentMs),
    outbox: await store.outbox.prune(nowMs - retention.outboxMs),
    // Runs mark the gaps inside the longest history kept.
    runs: await store.runs.prune(nowMs - Math.max(day, retention.incidentMs)),
  };
}
