import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LoadedConfig } from './config/load.js';
import type { RawConfig } from './config/schema.js';
import { HealthModel } from './model/health-model.js';
import { buildTopology } from './model/topology.js';
import { createProbers } from './scheduler/probers.js';
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
  config: RawConfig;
  model: HealthModel;
  app: FastifyInstance;
  /** Base URL the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  stop(): Promise<void>;
}

/** Splits Vigil's `inet` (`IP:PORT`, IPv6 in brackets) into host and port. */
export function parseInet(inet: string): { host: string; port: number } {
  const colon = inet.lastIndexOf(':');
  return { host: inet.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(inet.slice(colon + 1)) };
}

/** Wires a loaded config → topology → model → probers and web, and starts them. */
export async function startVigil(options: StartOptions): Promise<RunningVigil> {
  const { logger, clock = systemClock, loaded } = options;
  for (const warning of loaded.warnings) logger.warn(warning);
  const { config } = loaded;
  const metrics = config.metrics;

  const topology = buildTopology(config);
  const model = new HealthModel(
    topology,
    {
      pushDelayDeadSeconds: metrics.push_delay_dead,
      localDelayDeadSeconds: metrics.local_delay_dead,
      pushCpuSickAbove: metrics.push_system_cpu_sick_above,
      pushRamSickAbove: metrics.push_system_ram_sick_above,
    },
    clock,
    (error) => logger.error({ err: error }, 'health model listener failed'),
  );
  model.events.on('replica-changed', ({ subject, previous, current, reason }) => {
    const path = `${subject.serviceId}:${subject.nodeId}:${subject.replicaId}`;
    logger.info(
      { replica: path, previous, current, reason },
      `replica ${path} is ${current}${reason ? ` (${reason})` : ''}`,
    );
  });
  model.events.on('page-changed', ({ previous, current }) =>
    logger.info(`page status ${previous} → ${current}`),
  );

  const probers = createProbers({
    topology,
    metrics,
    model,
    clock,
    onJobError: (error, job) => logger.error({ err: error, replica: job.ref }, 'probe job failed'),
  });

  const app = buildApp({ config, model, logger });
  const address = options.listen ?? parseInet(config.server.inet);
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const url = `http://${host}:${port}`;

  probers.poll.start();
  probers.script.start();

  return {
    config,
    model,
    app,
    url,
    async stop() {
      // Order matters: stop sources first, then the model's timers, then the HTTP server.
      await Promise.all([probers.poll.stop(), probers.script.stop()]);
      model.stop();
      await app.close();
      logger.info('stopped');
    },
  };
}
