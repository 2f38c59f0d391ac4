// Child: a Vigil app over one push node, and a fleet of push replicas that report at the same
// instant, so that all their deadlines fall due together (issue 15, point 4). Argument: the page's
// render interval in ms (the production 200, or a long one to leave the page's own cost out).

import { createLogger } from '../../packages/server/src/log/logger.js';
import { HealthModel, healthModelSettings } from '../../packages/server/src/model/health-model.js';
import { buildTopology } from '../../packages/server/src/model/topology.js';
import { holdableClock } from '../../packages/server/test/helpers/holdable-clock.js';
import { sourcesFor } from '../../packages/server/test/helpers/model.js';
import { buildTestApp } from '../../packages/server/test/helpers/server.js';
import { serveParent } from '../lib/serve-parent.js';
import { loadBenchConfig, PUSH_NODE_ID, pushNodes, SERVICE_ID } from '../lib/vigil-config.js';

export interface MassDeathReady {
  port: number;
}

export interface MassDeathTimes {
  /** Wall-clock time every deadline fell due, and when the last replica was dead. */
  dueAtMs: number;
  allDeadAtMs: number;
  seedMs: number;
  /** When seeding ended: answers started before then waited for the seeding, not the deaths. */
  seededAtMs: number;
}

const pageRenderIntervalMs = Number(process.argv[2] ?? 200);

const { clock, hold, release } = holdableClock();

const { config } = loadBenchConfig(pushNodes(1), 'push_delay_dead = 0');
const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), clock);
const observe = sourcesFor(model, clock);
const app = buildTestApp({
  settings: config,
  model,
  clock,
  pageRenderIntervalMs,
  logger: createLogger({ level: 'off', pretty: false }),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const node = model.node(SERVICE_ID, PUSH_NODE_ID);

const api = {
  /** Reports `fleet` replicas at one instant with a 1 s interval; resolves once all are dead. */
  seed: (fleet: number) =>
    new Promise<MassDeathTimes>((resolve) => {
      const started = performance.now();
      const dueAtMs = hold() + 1000;
      for (let index = 0; index < fleet; index++) {
        observe.push(SERVICE_ID, PUSH_NODE_ID, `host-${index}`, 1, { cpu: 0.42, ram: 0.61 });
      }
      release();
      const seedMs = performance.now() - started;
      const seededAtMs = Date.now();
      const stop = model.events.on('updated', () => {
        if (node?.counts.of('dead') !== fleet) return;
        stop();
        resolve({ dueAtMs, allDeadAtMs: Date.now(), seedMs, seededAtMs });
      });
    }),
};
export type MassDeathApi = typeof api;
serveParent({ port: typeof address === 'object' && address ? address.port : 0 }, api);
