import type { LoadedConfig } from '../../packages/server/src/config/load.js';
import { createLogger } from '../../packages/server/src/log/logger.js';
import { HealthModel, healthModelSettings } from '../../packages/server/src/model/health-model.js';
import { buildTopology } from '../../packages/server/src/model/topology.js';
import type { IcmpMethod } from '../../packages/server/src/probes/index.js';
import { createProbers } from '../../packages/server/src/scheduler/probers.js';
import { systemClock } from '../../packages/server/src/time/clock.js';
import { buildTestApp } from '../../packages/server/test/helpers/server.js';

/**
 * The engine startVigil wires: topology, model and probers, none of them started. Deliberately not
 * startVigil itself: that also opens the durable store (a SQLite file in the working directory),
 * the notifier and the RabbitMQ checker, which these figures leave out and their owners measure.
 */
export function buildCore(
  { config }: LoadedConfig,
  onJobError: (error: unknown) => void = () => {},
  icmp?: IcmpMethod,
) {
  const topology = buildTopology(config);
  const { metrics } = config;
  const model = new HealthModel(topology, healthModelSettings(metrics), systemClock);
  const probers = createProbers({
    topology,
    metrics,
    model,
    clock: systemClock,
    onJobError,
    // As `vigil` runs, unless an ICMP method is given: a method is functions, which stay on this thread.
    pollInWorker: icmp === undefined && config.metrics.poll_in_worker,
    icmp,
  });
  return { config, topology, model, probers };
}

export type Core = ReturnType<typeof buildCore>;

/** The real HTTP server (buildApp) over the core's model, logging off, on a free loopback port. */
export async function listenCore(core: Core) {
  const app = buildTestApp({
    settings: core.config,
    model: core.model,
    logger: createLogger({ level: 'off', pretty: false }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address ? address.port : 0 };
}
