import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AlertDispatcher } from './cluster/leader-dispatcher.js';
import type { LoadedConfig } from './config/load.js';
import { feedSources } from './feed/sources.js';
import { startRecording } from './history/recording.js';
import { clipForLog } from './log/clip.js';
import { logProbeResults } from './log/probe-results.js';
import { HealthModel, type ReplicaRef } from './model/health-model.js';
import { alertPage, prepareDispatcher } from './notify/dispatcher.js';
import { createRabbitmqChecker } from './plugins/rabbitmq.js';
import { Reloader, type ReloadOutcome } from './reload/reloader.js';
import { watchConfigFile } from './reload/watch.js';
import { createProbers, type Probers } from './scheduler/probers.js';
import { type Settings, settingsFrom } from './settings/settings.js';
import { openDurableState } from './store/durable-state.js';
import { startSubscriptions, subscriptionSmtp } from './subscriptions/subscriptions.js';
import { type Clock, systemClock } from './time/clock.js';
import { buildApp, type WebSettings } from './web/app.js';
import { maintenanceHistory } from './web/page/history-page.js';
import { createWebServices } from './web/services.js';

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

/** Steps to undo, run last-in first-out: each start step pushes how to stop what it started. */
class Teardown {
  private readonly steps: Array<() => unknown> = [];

  push(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) await step();
  }
}

/** The health model, with its changes logged. */
function createModel(settings: Settings, clock: Clock, logger: Logger): HealthModel {
  const model = new HealthModel(settings.topology, settings.model, clock, (error) =>
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
  return model;
}

/**
 * The composition root: builds, in order, settings → model → store (opened, replicas restored) →
 * history and incidents (recording) → dispatcher → sources (probers, the RabbitMQ check, the
 * model's own deadline timers) → web app → reloader, and `stop()` tears them down in reverse.
 * Sources only hand the model observations; consumers only read its views and events.
 */
export async function startVigil(options: StartOptions): Promise<RunningVigil> {
  const { logger, clock = systemClock, loaded } = options;
  for (const warning of loaded.warnings) logger.warn(warning);
  const teardown = new Teardown();
  try {
    return await compose(options, logger, clock, teardown);
  } catch (error) {
    // What started before the failure (a store, a dispatcher) stops, so the process can exit.
    await teardown.run();
    throw error;
  }
}

async function compose(
  options: StartOptions,
  logger: Logger,
  clock: Clock,
  teardown: Teardown,
): Promise<RunningVigil> {
  const { loaded } = options;
  // Settings.
  const settings = settingsFrom(loaded.config);
  const { metrics } = settings;

  // Model.
  const model = createModel(settings, clock, logger);

  // Store: opened before anything can change state, so nothing the last run left is overwritten.
  const durable = await openDurableState({ storage: settings.storage, model, clock, logger });
  teardown.push(() => durable.close());

  // History and incidents.
  const recording = await startRecording({
    store: durable.store,
    storage: settings.storage,
    model,
    clock,
    logger,
    maintenance: durable.maintenance,
    // In a cluster the alert leader alone writes history, so the shared store holds one view.
    writesHistory: settings.cluster === undefined,
  });
  teardown.push(() => recording.stop());

  // Dispatcher: started before the sources so it sees their first results; it judges the page once they settle.
  // Loaded only when on: prom-client is a good part of the idle footprint.
  const prometheus = settings.prometheus.enabled
    ? (await import('./metrics/index.js')).createVigilMetrics(model)
    : undefined;
  const dispatcherDependencies = {
    model,
    outbox: recording.outbox,
    clock,
    logger,
    ignoreWindow: durable.ignoreWindow,
    maintenance: durable.maintenance,
    metrics: prometheus?.notifications,
    // Host and address tell instances sharing a database apart, and stay the same across a restart
    // (and a reload, which keeps `server.inet`).
    owner: `${hostname()} ${settings.server.inet}`,
  };
  // [cluster]: alerts are decided and sent only by the member holding the alert leader's lease.
  // It leaves after the dispatcher drained, so another member takes over at once.
  // Loaded only with [cluster]: its report relay brings the PostgreSQL driver.
  const cluster = settings.cluster
    ? await (await import('./cluster/start.js')).startClusterIfConfigured(
        settings,
        { store: durable.store, recorder: recording.recorder },
        { model, clock, logger, metrics: prometheus?.registry },
      )
    : undefined;
  teardown.push(() => cluster?.stop());
  const makeDispatcher = (
    make: ReturnType<typeof prepareDispatcher>,
    next: Settings,
  ): AlertDispatcher | undefined => {
    if (!make) return undefined;
    return cluster
      ? cluster.leaderOnly(make, dispatcherDependencies, alertPage(next.branding).url)
      : make(dispatcherDependencies);
  };
  // What a reload replaces: kept in one place so stop() always stops the current ones.
  const parts: { probers?: Probers; dispatcher?: AlertDispatcher } = {
    dispatcher: makeDispatcher(prepareDispatcher(settings), settings),
  };
  // Alerts due when stopping are delivered for a while; the outbox keeps the rest.
  teardown.push(() => parts.dispatcher?.stop(NOTIFY_DRAIN_MS));
  await parts.dispatcher?.start();

  // Sources. The model's deadline timers change it too: they stop with the sources, before alerts drain.
  teardown.push(() => model.stop());
  const queueChecker = createRabbitmqChecker(settings.rabbitmq, {
    model,
    // In a cluster each node's queue is checked by one member, which shares the verdicts.
    sink: cluster?.observations,
    owns: cluster && ((node) => cluster.ownsNode(node)),
    clock,
    timeoutMs: metrics.poll_delay_dead * 1000,
    pageUrl: settings.branding.page_url,
    logger,
  })?.start();
  teardown.push(() => queueChecker?.stop());
  const startProbers = (current: Settings): Probers => {
    const started = createProbers({
      topology: current.topology,
      metrics: current.metrics,
      // In a cluster each member probes its share, and shares the results with the others.
      model: cluster?.observations ?? model,
      owns: cluster?.owns,
      localAddress: current.cluster?.source_address,
      clock,
      onJobError: (error, ref) => logger.error({ err: error, replica: ref }, 'probe job failed'),
      pollInWorker: current.metrics.poll_in_worker,
      log: (message) => logger.info(message),
      logError: (message, error) => logger.error({ err: error }, message),
    });
    started.poll.start();
    started.script.start();
    return started;
  };
  // A member joining or dying changes the share at once, not at the prober thread's next round.
  cluster?.onShareChange(() => parts.probers?.poll.reshare?.());
  const stopProbers = (running: Probers | undefined) =>
    running && Promise.all([running.poll.stop(), running.script.stop()]);
  teardown.push(() => stopProbers(parts.probers));

  // Web app. It reads its branding and metrics from `web` on each use, so a reload replaces them in place.
  const web: WebSettings = {
    server: settings.server,
    branding: settings.branding,
    prometheus: settings.prometheus,
    metrics: settings.metrics,
  };
  const history = { history: recording.history, incidents: durable.store.incidents };
  const services = createWebServices({
    settings: web,
    model,
    logger,
    clock,
    announcements: durable.announcements,
    maintenance: durable.maintenance,
    history,
    incidents: durable.incidents,
  });

  // Feed and subscriptions: told of new entries until the app closes.
  const sources = feedSources({
    announcements: durable.announcements,
    model,
    clock,
    incidents: durable.incidents,
    maintenance: durable.maintenance,
  });
  // The SMTP settings are read on each batch of mails: a reload may change `[notify.email]`.
  const live = { notify: settings.notify };
  const subscriptions = await startSubscriptions({
    store: durable.store,
    config: settings.subscriptions,
    email: () => subscriptionSmtp(live.notify),
    branding: () => web.branding,
    sources,
    clock,
    logger,
  });
  teardown.push(() => subscriptions.stop());
  const app = buildApp({
    settings: web,
    model,
    logger,
    clock,
    services,
    metrics: prometheus,
    notifications: {
      listDeliveries: (query) => parts.dispatcher?.listDeliveries(query) ?? Promise.resolve([]),
    },
    manager: {
      announcements: durable.announcements,
      ignoreWindow: durable.ignoreControl,
      maintenance: durable.maintenance,
    },
    maintenance: durable.maintenance,
    history,
    store: durable.store,
    cluster,
    incidents: durable.incidents,
    historySources: [maintenanceHistory(durable.maintenance, model)],
    feedSources: sources,
    subscriptions,
  });
  // Closing the app closes its services too.
  teardown.push(() => app.close());
  const address = options.listen ?? parseInet(settings.server.inet);
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const url = `http://${host}:${port}`;
  await cluster?.join();

  // Probe rounds start once the server answers, as reporters' first reports can.
  parts.probers = startProbers(settings);

  // Reloader.
  const reloader = new Reloader({
    path: loaded.path,
    env: options.env ?? process.env,
    logger,
    current: settings,
    async apply(next) {
      // Channels first: one that cannot be built refuses the reload before anything changed.
      const make = prepareDispatcher(next);
      const previous = parts.dispatcher;
      const settled = previous?.hasSettled ?? true;
      // The outbox is durable: what the old dispatcher has not delivered, the new one does.
      await Promise.all([stopProbers(parts.probers), previous?.stop(NOTIFY_DRAIN_MS)]);
      model.reconfigure(next.topology, next.model);
      web.branding = next.branding;
      web.metrics = next.metrics;
      live.notify = next.notify;
      // After the model took the new services: the dispatcher's scopes list their nodes.
      const dispatcher = makeDispatcher(make, next);
      parts.dispatcher = dispatcher;
      await dispatcher?.start({ settled });
      parts.probers = startProbers(next);
    },
  });
  teardown.push(() => reloader.close());
  const stopWatching =
    options.watch === true
      ? watchConfigFile(loaded.path, () => void reloader.reload(), {
          clock,
          onError: (error) => logger.error({ err: error }, `cannot watch ${loaded.path}`),
        })
      : undefined;
  teardown.push(() => stopWatching?.());

  return {
    get settings() {
      return reloader.settings;
    },
    model,
    app,
    url,
    reload: () => reloader.reload(),
    async stop() {
      await teardown.run();
      logger.info('stopped');
    },
  };
}
