import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { AnnouncementSource } from '../../src/announcements/types.js';
import type { RawConfig } from '../../src/config/schema.js';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { type Clock, systemClock } from '../../src/time/clock.js';
import { type AppDependencies, buildApp } from '../../src/web/app.js';
import { createWebServices, type WebServiceOptions } from '../../src/web/services.js';
import { testConfig } from './config.js';
import { sourcesFor } from './model.js';

export interface TestServerOptions {
  clock?: Clock;
  metrics?: string;
  announcements?: AnnouncementSource;
  /** Adjusts the parsed config, e.g. its branding, before the app is built. */
  configure?: (config: RawConfig) => void;
  /** 0 by default, so a test reads the page right after changing the model; the browser tests use the real one. */
  pageRenderIntervalMs?: number;
  /** Silent unless a test reads what the server logs. */
  logger?: FastifyBaseLogger;
}

/**
 * The app with its services built from the same options, as the composition root builds them (the
 * system clock unless one is given); closing the app closes them.
 */
export function buildTestApp(
  options: Omit<AppDependencies, 'services' | 'clock'> & Omit<WebServiceOptions, 'clock'> & { clock?: Clock },
) {
  const clock = options.clock ?? systemClock;
  return buildApp({ ...options, clock, services: createWebServices({ ...options, clock }) });
}

/** A real HTTP server on a free loopback port, over the real model, without probers. */
export async function startTestServer(probes: string, options: TestServerOptions = {}) {
  const config = testConfig(probes, options.metrics);
  options.configure?.(config);
  const clock: Clock = options.clock ?? {
    now: Date.now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
  const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), clock);
  const app = buildTestApp({
    settings: config,
    model,
    logger: options.logger ?? pino({ level: 'silent' }),
    announcements: options.announcements,
    clock,
    pageRenderIntervalMs: options.pageRenderIntervalMs ?? 0,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    config,
    model,
    /** Feeds the model as its sources do. */
    observe: sourcesFor(model, clock),
    app,
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      model.stop();
      await app.close();
    },
  };
}

export const basicAuth = (password: string, user = '') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
