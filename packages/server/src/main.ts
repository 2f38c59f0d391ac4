import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LoadedConfig } from './config/load.js';
import { clipForLog } from './log/clip.js';
import { logProbeResults } from './log/probe-results.js';
import { createVigilMetrics } from './metrics/index.js';
import { HealthModel, type ReplicaRef } from './model/health-model.js';
import { createDispatcher } from './notify/dispatcher.js';
import { createRabbitmqChecker } from './plugins/rabbitmq.js';
import { createProbers } from './scheduler/probers.js';
import { type Settings, settingsFrom } from './settings/settings.js';
import { openDurableState } from './store/durable-state.js';
import { type Clock, systemClock } from './time/clock.js';
import { buildApp } from './web/app.js';

export interface StartOptions {
  loaded: LoadedConfig;
  logger: Logger;
  clock?: Clock;
  /** Overrides `server.inet`, e.g. `127.0.0.1:0` in tests. */
  listen?: { host: string; port: number };
}

export interface RunningVigil {
  settings: Settings;
  model: HealthModel;
  app: FastifyInstance;
  /** Base URL the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  stop(): Promise<void>;
}

/** How long a stopping server keeps delivering alerts that are due (the CLI allows 5 s for the whole stop). */
const NOTIFY_DRAIN_MS = 2000;

/** Splits Vigil's `inet` (`IP:PORT`, IPv6 in brackets) into host and port. */
export function parseInet(inet: string): { host: string; port: number } {
  const colon = inet.lastIndexOf(':');
  return { host: inet.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(inet.slice(colon + 1)) };
}

/** Wires a loaded config → settings → model → probers and web, and starts them. */
export async function startVigil(options: StartOptions): Promise<RunningVigil> {
  const { logger, clock = systemClock, loaded } = options;
  for (const warning of loaded.warnings) logger.warn(warning);
  const settings = settingsFrom(loaded.config);
  const { metrics, topology } = settings;

  const model = new HealthModel(topology, settings.model, clock, (error) =>
    logger.error({ err: error }, 'health model listener failed'),
  );
  // Replica ids stored by older versions may be kilobytes long: the log gets their start.
  const pathOf = (ref: ReplicaRef) => `${ref.serviceId}:${ref.nodeId}:${clipForLog(ref.replicaId)}`;
  model.events.on('replica-changed', ({ subject, previous, current, reason }) => {
    const path = pathOf(subject);
    logger.info(
      { replica: path, previous, current, reason },
      `replica ${path} is ${current}${reason ? ` (${reason})` : ''}`,
    );
  });
  model.events.on('replica-removed', (removed) => {
    if (removed.forgotten) logger.info({ replica: pathOf(removed) }, `replica ${pathOf(removed)} forgotten`);
  });
  model.events.on('page-changed', ({ previous, current }) =>
    logger.info(`page status ${previous} → ${current}`),
  );
  logProbeResults(model, logger);

  // Opened before anything can change state, so nothing the last run left is overwritten.
  const durable = await openDurableState({ storage: settings.storage, model, clock, logger });

  const probers = createProbers({
    topology,
    metrics,
    model,
    clock,
    onJobError: (error, job) => logger.error({ err: error, replica: job.ref }, 'probe job failed'),
    log: (message) => logger.info(message),
  });

  const queueChecker = createRabbitmqChecker(settings.rabbitmq, {
    model,
    clock,
    timeoutMs: metrics.poll_delay_dead * 1000,
    pageUrl: settings.branding.page_url,
    logger,
  })?.start();
  // Its `notifications` go to the notification dispatcher.
  const prometheus = settings.prometheus.enabled ? createVigilMetrics(model) : undefined;

  // Started before the sources so it sees their first results; it judges the page once they settle.
  const dispatcher = createDispatcher(settings, {
    model,
    outbox: durable.outbox,
    clock,
    logger,
    ignoreWindow: durable.ignoreWindow,
    metrics: prometheus?.notifications,
    // Host and address tell instances sharing a database apart, and stay the same across a restart.
    owner: `${hostname()} ${settings.server.inet}`,
  });
  await dispatcher?.start();

  const app = buildApp({
    settings,
    model,
    logger,
    clock,
    metrics: prometheus,
    notifications: dispatcher,
    announcements: durable.announcements,
    manager: { announcements: durable.announcements, ignoreWindow: durable.ignoreControl },
    history: { history: durable.history, incidents: durable.store.incidents },
    store: durable.store,
  });
  const address = options.listen ?? parseInet(settings.server.inet);
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const url = `http://${host}:${port}`;

  probers.poll.start();
  probers.script.start();

  return {
    settings,
    model,
    app,
    url,
    async stop() {
      // Order matters: stop sources first, then the model's timers, drain alerts, then the HTTP server.
      await Promise.all([probers.poll.stop(), probers.script.stop(), queueChecker?.stop()]);
      model.stop();
      await dispatcher?.stop(NOTIFY_DRAIN_MS);
      await app.close();
      await durable.close();
      logger.info('stopped');
    },
  };
}
