import { pino } from 'pino';
import type { Health } from '../../src/model/health.js';
import { HealthModel, type HealthModelSettings, type ReplicaRef } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import {
  alertPage,
  Dispatcher,
  type DispatcherDependencies,
  type DispatcherSettings,
  dispatcherSettings,
} from '../../src/notify/dispatcher.js';
import { ReminderIgnoreWindow } from '../../src/notify/ignore-window.js';
import { MemoryOutbox } from '../../src/notify/memory-outbox.js';
import type { Outbox } from '../../src/notify/outbox.js';
import { buildChannels } from '../../src/notify/registry.js';
import type { Clock } from '../../src/time/clock.js';
import { testConfig } from '../helpers/config.js';
import { MODEL_SETTINGS, sourcesFor } from '../helpers/model.js';

/** Two services, three nodes: enough for filters and dead lists. */
export const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["tcp://api-1:80", "tcp://api-2:80"]
[[probe.service.node]]
id = "db"
label = "Database"
mode = "poll"
replicas = ["tcp://db-1:5432"]
[[probe.service]]
id = "jobs"
label = "Jobs"
[[probe.service.node]]
id = "worker"
label = "Worker"
mode = "script"
scripts = ["exit 0"]
`;

export const API_1: ReplicaRef = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://api-1:80' };
export const API_2: ReplicaRef = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://api-2:80' };
export const DB_1: ReplicaRef = { serviceId: 'web', nodeId: 'db', replicaId: 'tcp://db-1:5432' };
export const WORKER: ReplicaRef = { serviceId: 'jobs', nodeId: 'worker', replicaId: '0' };

export const pathOf = (ref: ReplicaRef) => `${ref.serviceId}:${ref.nodeId}:${ref.replicaId}`;

export interface HarnessOptions {
  /** `[notify]` and `[notify.*]` tables, as TOML. */
  notify: string;
  clock: Clock;
  outbox?: Outbox;
  /** Overrides of the settings read from `[notify]`, e.g. short retries and timeouts. */
  settings?: Partial<DispatcherSettings>;
  /** The instance name on delivery leases (default: the host name). */
  owner?: string;
  /** Probe tables in place of PROBES. */
  probes?: string;
  /** Overrides of the model's settings, e.g. a forget age. */
  model?: Partial<HealthModelSettings>;
  /** Maintenance windows the dispatcher honours. */
  maintenance?: DispatcherDependencies['maintenance'];
}

/** A model and a dispatcher over real channels built from config tables, with an in-memory outbox. */
export function createHarness(options: HarnessOptions) {
  const config = testConfig(`${options.probes ?? PROBES}\n${options.notify}`);
  if (!config.notify) throw new Error('the harness needs a [notify] table');
  const { clock } = options;
  const model = new HealthModel(buildTopology(config), { ...MODEL_SETTINGS, ...options.model }, clock);
  const observe = sourcesFor(model, clock);
  const settings: DispatcherSettings = { ...dispatcherSettings(config.notify), ...options.settings };
  const outbox = options.outbox ?? new MemoryOutbox();
  const ignoreWindow = new ReminderIgnoreWindow(clock);
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) },
  );
  const dispatcher = new Dispatcher(settings, {
    model,
    channels: buildChannels(config.notify, { timeoutMs: settings.delivery.attemptTimeoutMs }),
    outbox,
    clock,
    logger,
    ignoreWindow,
    page: alertPage(config.branding),
    ...(options.owner !== undefined && { owner: options.owner }),
    ...(options.maintenance !== undefined && { maintenance: options.maintenance }),
  });

  return {
    model,
    observe,
    dispatcher,
    outbox,
    ignoreWindow,
    logLines: lines,
    set(ref: ReplicaRef, health: Health) {
      observe.probe(ref, { health, latencyMs: 1, ...(health !== 'healthy' && { reason: 'test' }) });
    },
    /** Every delivery in the outbox, oldest first, as [channel, kind, status] plus the alert. */
    async deliveries() {
      await settle();
      const all = await outbox.recentDeliveries({ limit: 10_000 });
      return all.reverse();
    },
    /** The [kind, status] alerts one channel was given, oldest first. */
    async told(channel: string) {
      const all = await this.deliveries();
      return all.filter((each) => each.channel === channel).map(({ alert }) => [alert.kind, alert.status]);
    },
    async stop() {
      await dispatcher.stop(0);
      model.stop();
    },
  };
}

/** Lets chained outbox writes and worker reads run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) await new Promise((resolve) => setImmediate(resolve));
}
