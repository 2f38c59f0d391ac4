import { Migrator, sql } from 'kysely';
import type { StorageConfig } from '../config/schema.js';
import { connect, type StoreLocation } from './connect.js';
import { migrationProvider } from './migrations.js';
import { alertStateRepository } from './repositories/alert-state.js';
import { announcementRepository } from './repositories/announcements.js';
import { clusterRepository } from './repositories/cluster.js';
import { declaredIncidentRepository } from './repositories/declared-incidents.js';
import { incidentRepository } from './repositories/incidents.js';
import { maintenanceRepository } from './repositories/maintenance.js';
import { outboxRepository } from './repositories/outbox.js';
import { replicaRepository } from './repositories/replicas.js';
import { rollupRepository } from './repositories/rollups.js';
import { runRepository } from './repositories/runs.js';
import { publishedEntryRepository, subscriptionRepository } from './repositories/subscriptions.js';
import type { Store } from './types.js';

/** Where `[storage]` says the data lives. */
export function storeLocation(storage: StorageConfig): StoreLocation {
  if (storage.engine === 'postgres') {
    // The schema refuses postgres without a URL; this guards callers that build configs by hand.
    if (!storage.url) throw new Error('storage.url is required when storage.engine = "postgres"');
    return { engine: 'postgres', url: storage.url, poolSize: storage.pool_size };
  }
  return { engine: 'sqlite', path: storage.path };
}

/**
 * Orders the executed migrations' names (`0001_initial`, `0002_…`) as Kysely's default
 * `localeCompare` does for them, without it: its first call makes V8 list every locale ICU has
 * (~300 resource bundles opened), which leaves ~2.7 MB resident for good in every restart of an
 * existing store (docs/performance.md, "Idle memory").
 */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Connects, brings the schema up to date (migrations run at every start), and returns the store. */
export async function openStore(
  location: StoreLocation,
  onIdleError?: (error: Error) => void,
): Promise<Store> {
  const db = connect(location, onIdleError);
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider(location.engine),
    nameComparator: byCodeUnits,
  }).migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(failed ? `migration ${failed} failed: ${cause}` : cause, { cause: error });
  }
  return {
    engine: location.engine,
    announcements: announcementRepository(db),
    alerts: alertStateRepository(db),
    replicas: replicaRepository(db),
    outbox: outboxRepository(db),
    rollups: rollupRepository(db),
    incidents: incidentRepository(db),
    declaredIncidents: declaredIncidentRepository(db),
    runs: runRepository(db),
    maintenance: maintenanceRepository(db),
    cluster: clusterRepository(db),
    subscriptions: subscriptionRepository(db),
    publishedEntries: publishedEntryRepository(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
