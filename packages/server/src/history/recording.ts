import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { StorageConfig } from '../config/schema.js';
import type { HealthModel } from '../model/health-model.js';
import type { Outbox } from '../notify/outbox.js';
import { storeOutbox } from '../notify/store-outbox.js';
import { Recorder, type RecorderOptions } from '../store/recorder.js';
import { retentionFrom } from '../store/retention.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { HistoryReader } from './reader.js';

/** The model's history and incidents going into the store, and read back out. */
export interface Recording {
  recorder: Recorder;
  /** Read side of the history, for `/api/v1` and the page. */
  history: HistoryReader;
  /** The dispatcher's outbox, which writes the changed replicas before each alert state. */
  outbox: Outbox;
  /** Writes what is pending (the open minute too) and stops. */
  stop(): Promise<void>;
}

/** Starts recording the model's events (rollups, incidents, replica records) into an opened store. */
export async function startRecording(options: {
  store: Store;
  storage: StorageConfig;
  model: HealthModel;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Nodes under maintenance open no incident, and their time counts apart in the history. */
  maintenance?: RecorderOptions['maintenance'];
  /** False for a cluster member, until it leads (`recorder.setWritingHistory`). */
  writesHistory?: boolean;
}): Promise<Recording> {
  const { store, storage, model, clock, logger, maintenance, writesHistory } = options;
  const runId = randomUUID();
  let recorder: Recorder | undefined;
  const history = new HistoryReader(store, clock, runId, (key) => recorder?.seriesId(key));
  recorder = await Recorder.start({
    store,
    model,
    clock,
    logger,
    runId,
    flushIntervalMs: storage.flush_interval * 1000,
    retention: retentionFrom(storage),
    afterFlush: () => history.warm(),
    maintenance,
    writesHistory,
  });
  return {
    recorder,
    history,
    outbox: storeOutbox(store, () => recorder.saveReplicas()),
    stop: () => recorder.stop(),
  };
}
