import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DurableAnnouncements } from '../announcements/durable.js';
import type { StorageConfig } from '../config/schema.js';
import { HistoryReader } from '../history/reader.js';
import { MaintenanceSchedule } from '../maintenance/schedule.js';
import type { HealthModel } from '../model/health-model.js';
import { ReminderIgnoreWindow } from '../notify/ignore-window.js';
import type { Outbox } from '../notify/outbox.js';
import { storeOutbox } from '../notify/store-outbox.js';
import { redactUrl } from '../probes/redact.js';
import type { Clock } from '../time/clock.js';
import { durableIgnoreWindow } from './durable-ignore-window.js';
import { openStore, storeLocation } from './open.js';
import { Recorder } from './recorder.js';
import { restoreReplicas } from './restore.js';
import { retentionFrom } from './retention.js';
import type { Store } from './types.js';

/** The store and the in-memory views main wires into the dispatcher and the web. */
export interface DurableState {
  store: Store;
  announcements: DurableAnnouncements;
  /** The dispatcher's window; `ignoreControl` changes it durably for the manager API. */
  ignoreWindow: ReminderIgnoreWindow;
  ignoreControl: Awaited<ReturnType<typeof durableIgnoreWindow>>;
  recorder: Recorder;
  /** The dispatcher's outbox, which writes the changed replicas before each alert state. */
  outbox: Outbox;
  /** Read side of the history, for `/api/v1`. */
  history: HistoryReader;
  /** Maintenance windows: the manager API changes them, alerts, incidents, history and the page read them. */
  maintenance: MaintenanceSchedule;
  /** Waits for pending writes, then closes the store. */
  close(): Promise<void>;
}

/**
 * Opens `[storage]`, loads what the last run left (announcements, maintenance windows, ignore window, push and local
 * replicas into the model) and starts recording. Errors name the engine and where it looked.
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
  const runId = randomUUID();
  const history = new HistoryReader(store, clock, runId);
  const recorder = await Recorder.start({
    store,
    model,
    clock,
    logger,
    runId,
    flushIntervalMs: storage.flush_interval * 1000,
    retention: retentionFrom(storage),
    afterFlush: () => history.warm(),
    maintenance,
  });
  return {
    store,
    announcements,
    ignoreWindow,
    ignoreControl,
    recorder,
    outbox: storeOutbox(store, () => recorder.saveReplicas()),
    history,
    maintenance,
    async close() {
      await recorder.stop();
      await announcements.stop();
      await maintenance.stop();
      await store.close();
    },
  };
}
