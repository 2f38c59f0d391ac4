import type { Logger } from 'pino';
import { DurableAnnouncements } from '../announcements/durable.js';
import type { StorageConfig } from '../config/schema.js';
import { IncidentLog } from '../incidents/log.js';
import { MaintenanceSchedule } from '../maintenance/schedule.js';
import type { HealthModel } from '../model/health-model.js';
import { ReminderIgnoreWindow } from '../notify/ignore-window.js';
import { redactUrl } from '../probes/redact.js';
import type { Clock } from '../time/clock.js';
import { durableIgnoreWindow } from './durable-ignore-window.js';
import { openStore, storeLocation } from './open.js';
import { restoreReplicas } from './restore.js';
import type { Store } from './types.js';

/** The opened store and what the last run left in it, for the composition root to wire. */
export interface DurableState {
  store: Store;
  announcements: DurableAnnouncements;
  /** The dispatcher's window; `ignoreControl` changes it durably for the manager API. */
  ignoreWindow: ReminderIgnoreWindow;
  ignoreControl: Awaited<ReturnType<typeof durableIgnoreWindow>>;
  /** Maintenance windows: the manager API changes them, alerts, incidents, history and the page read them. */
  maintenance: MaintenanceSchedule;
  /** Incidents with their updates: the manager API writes them, the page and the feed read them. */
  incidents: IncidentLog;
  /** Stops saving announcements, maintenance windows and incidents, then closes the store. */
  close(): Promise<void>;
}

/**
 * Opens `[storage]` and loads what the last run left: announcements, maintenance windows, the
 * ignore window, and the push and local replicas (into the model, as restore observations). Errors
 * name the engine and where it looked. Recording into it is the next step (`history/recording.ts`).
 */
export async function openDurableState(options: {
  storage: StorageConfig;
  model: HealthModel;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}): Promise<DurableState> {
  const { storage, model, clock, logger } = options;
  const location = storeLocation(storage);
  let store: Store;
  try {
    store = await openStore(location, (error) =>
      logger.warn({ err: error }, 'a PostgreSQL connection dropped; the pool opens a new one'),
    );
  } catch (error) {
    const where = location.engine === 'sqlite' ? location.path : redactUrl(location.url);
    throw new Error(`cannot open the ${location.engine} store at ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const announcements = await DurableAnnouncements.load(store.announcements, clock);
  const ignoreWindow = new ReminderIgnoreWindow(clock);
  const ignoreControl = await durableIgnoreWindow(ignoreWindow, store.alerts, clock);
  const { restored, skipped } = await restoreReplicas(model, store.replicas, clock.now());
  if (restored + skipped > 0) {
    logger.info(`restored ${restored} push and local replicas (${skipped} no longer configured)`);
  }
  const maintenance = await MaintenanceSchedule.load(store.maintenance, clock);
  const incidents = new IncidentLog(store, clock);
  return {
    store,
    announcements,
    ignoreWindow,
    ignoreControl,
    maintenance,
    incidents,
    async close() {
      await announcements.stop();
      await maintenance.stop();
      await incidents.idle();
      await store.close();
    },
  };
}
