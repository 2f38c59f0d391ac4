import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LoadedConfig } from './config/load.js';
import { clipForLog } from './log/clip.js';
import { logProbeResults } from './log/probe-results.js';
import { createVigilMetrics } from './metrics/index.js';
import { HealthModel, type ReplicaRef } from './model/health-model.js';
import { type Dispatcher, prepareDispatcher } from './notify/dispatcher.js';
import { createRabbitmqChecker } from './plugins/rabbitmq.js';
import { Reloader, type ReloadOutcome } from './reload/reloader.js';
import { watchConfigFile } from './reload/watch.js';
import { createProbers, type Probers } from './scheduler/probers.js';
import { type Settings, settingsFrom } from './settings/settings.js';
import { openDurableState } from './store/durable-state.js';
import { type Clock, systemClock } from './time/clock.js';
import { buildApp, type WebSettings } from './web/app.js';

export interface StartOptions {
  loaded: LoadedConfig;
  logger: Logger;
  clock?: Clock;
  /** Overrides `server.inet`, e.g. `127.0.0.1:0` in tests. */
  listen?: { host: string; port: number };
  /** Variables for the config's `${NAME}` placeholders on a reload, as at start; the process's by default. */
  env?: NodeJS.ProcessEnv;
  /** Reloads the config file when it changes (`--watch`), as a SIGHUP does. */
  watch?: boolean;
}

export interface RunningVigil {
  settings: Settings;
  model: HealthModel;
  app: FastifyInstance;
  /** Base URL the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Reads the config file again and applies what changed (SIGHUP); the running config stays if it is unusable. */
  reload(): Promise<ReloadOutcome>;
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

  const startProbers = (current: Settings): Probers => {
    const started = createProbers({
      topology: current.topology,
      metrics: current.metrics,
      model,
      clock,
      onJobError: (error, job) => logger.error({ err: error, replica: job.ref }, 'probe job failed'),
      log: (message) => logger.info(message),
    });
    started.poll.start();
    started.script.start();
    return started;
  };
  const stopProbers = (running: Probers) => Promise.all([running.poll.stop(), running.script.stop()]);

  const queueChecker = createRabbitmqChecker(settings.rabbitmq, {
    model,
    clock,
    timeoutMs: metrics.poll_delay_dead * 1000,
    pageUrl: settings.branding.page_url,
    logger,
  })?.start();
  // Its `notifications` go to the notification dispatcher.
  const prometheus = settings.prometheus.enabled ? createVigilMetrics(model) : undefined;

  const dispatcherDependencies = {
    model,
    outbox: durable.outbox,
    clock,
    logger,
    ignoreWindow: durable.ignoreWindow,
    maintenance: durable.maintenance,
    metrics: prometheus?.notifications,
    // Host and address tell instances sharing a database apart, and stay the same across a restart
    // (and a reload, which keeps `server.inet`).
    owner: `${hostname()} ${settings.server.inet}`,
  };
  // What a reload replaces: kept in one place so stop() always stops the current ones.
  const parts: { probers?: Probers; dispatcher?: Dispatcher } = {
    dispatcher: prepareDispatcher(settings)?.(dispatcherDependencies),
  };
  // Started before the sources so it sees their first results; it judges the page once they settle.
  await parts.dispatcher?.start();

  // The web surface reads its branding and metrics from here on each use, so a reload replaces them in place.
  const web: WebSettings = {
    server: settings.server,
    branding: settings.branding,
    prometheus: settings.prometheus,
    metrics: settings.metrics,
  };
  const app = buildApp({
    settings: web,
    model,
    logger,
    clock,
    metrics: prometheus,
    notifications: {
      listDeliveries: (query) => parts.dispatcher?.listDeliveries(query) ?? Promise.resolve([]),
    },
    announcements: durable.announcements,
    manager: {
      announcements: durable.announcements,
      ignoreWindow: durable.ignoreControl,
      maintenance: durable.maintenance,
    },
    maintenance: durable.maintenance,
    history: { history: durable.history, incidents: durable.store.incidents },
    store: durable.store,
  });
  const address = options.listen ?? parseInet(settings.server.inet);
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const url = `http://${host}:${port}`;

  parts.probers = startProbers(settings);

  const reloader = new Reloader({
    path: loaded.path,
    env: options.env ?? process.env,
    logger,
    current: settings,
    async apply(next) {
      // Channels first: one that cannot be built refuses the reload before anything changed.
      const makeDispatcher = prepareDispatcher(next);
      const previous = parts.dispatcher;
      const settled = previous?.hasSettled ?? true;
      // The outbox is durable: what the old dispatcher has not delivered, the new one does.
      await Promise.all([parts.probers && stopProbers(parts.probers), previous?.stop(NOTIFY_DRAIN_MS)]);
      model.reconfigure(next.topology, next.model);
      web.branding = next.branding;
      web.metrics = next.metrics;
      // After the model took the new services: the dispatcher's scopes list their nodes.
      const dispatcher = makeDispatcher?.(dispatcherDependencies);
      parts.dispatcher = dispatcher;
      await dispatcher?.start({ settled });
      parts.probers = startProbers(next);
    },
  });
  const stopWatching =
    options.watch === true
      ? watchConfigFile(loaded.path, () => void reloader.reload(), {
          clock,
          onError: (error) => logger.error({ err: error }, `cannot watch ${loaded.path}`),
        })
      : undefined;

  return {
    get settings() {
      return reloader.settings;
    },
    model,
    app,
    url,
    reload: () => reloader.reload(),
    async stop() {
      stopWatching?.();
      await reloader.close();
      // Order matters: stop sources first, then the model's timers, drain alerts, then the HTTP server.
      await Promise.all([parts.probers && stopProbers(parts.probers), queueChecker?.stop()]);
      model.stop();
      await parts.dispatcher?.stop(NOTIFY_DRAIN_MS);
      await app.close();
      await durable.close();
      logger.info('stopped');
    },
  };
}
