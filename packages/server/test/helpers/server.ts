import { pino } from 'pino';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import type { Clock } from '../../src/time/clock.js';
import { buildApp } from '../../src/web/app.js';
import { testConfig } from './config.js';

/** A real HTTP server on a free loopback port, over the real model, without probers. */
export async function startTestServer(probes: string, options: { clock?: Clock; metrics?: string } = {}) {
  const config = testConfig(probes, options.metrics);
  const m = config.metrics;
  const model = new HealthModel(
    buildTopology(config),
    {
      pushDelayDeadSeconds: m.push_delay_dead,
      localDelayDeadSeconds: m.local_delay_dead,
      pushCpuSickAbove: m.push_system_cpu_sick_above,
      pushRamSickAbove: m.push_system_ram_sick_above,
    },
    options.clock ?? {
      now: Date.now,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
  );
  const app = buildApp({ config, model, logger: pino({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    config,
    model,
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
