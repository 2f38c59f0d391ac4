// Child: the reporter API over the real model and app, with the durable store (`on`: SQLite in a
// temp folder, recorder, restore) or without any (`off`). Everything else is the same, so the
// difference between the two is what the store costs a report.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecording } from '../../packages/server/src/history/recording.js';
import { createLogger } from '../../packages/server/src/log/logger.js';
import { HealthModel, healthModelSettings } from '../../packages/server/src/model/health-model.js';
import { buildTopology } from '../../packages/server/src/model/topology.js';
import { openDurableState } from '../../packages/server/src/store/durable-state.js';
import { systemClock } from '../../packages/server/src/time/clock.js';
import { buildTestApp } from '../../packages/server/test/helpers/server.js';
import type { ServerApi, ServerReady } from '../lib/rpc.js';
import { cpuMs, serveParent } from '../lib/serve-parent.js';
import { loadBenchConfig, PUSH_NODE_ID, pushNodes, SERVICE_ID } from '../lib/vigil-config.js';

const withStore = process.argv[2] === 'on';
const { config } = loadBenchConfig(pushNodes(1));
const logger = createLogger({ level: 'off', pretty: false });
const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), systemClock);
const storage = { ...config.storage, path: join(mkdtempSync(join(tmpdir(), 'vigil-bench-')), 'vigil.db') };
const durable = withStore
  ? await openDurableState({ storage, model, clock: systemClock, logger })
  : undefined;
const recording =
  durable && (await startRecording({ store: durable.store, storage, model, clock: systemClock, logger }));
const app = buildTestApp({
  settings: config,
  model,
  logger,
  ...(durable &&
    recording && {
      announcements: durable.announcements,
      manager: { announcements: durable.announcements, ignoreWindow: durable.ignoreControl },
      history: { history: recording.history, incidents: durable.store.incidents },
    }),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();

serveParent<ServerApi>(
  { port: typeof address === 'object' && address ? address.port : 0 } satisfies ServerReady,
  {
    stats: () => ({ cpuMs: cpuMs(), replicas: model.node(SERVICE_ID, PUSH_NODE_ID)?.replicas.size }),
  },
);
