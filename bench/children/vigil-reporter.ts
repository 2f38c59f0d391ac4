// Child: the real Vigil TS HTTP server (buildApp over a real HealthModel) with one push node and
// logging off. No poll or script node, and the probers are not started: it only answers requests.
import type { ServerApi, ServerReady } from '../lib/rpc.js';
import { cpuMs, serveParent } from '../lib/serve-parent.js';
import { loadBenchConfig, PUSH_NODE_ID, pushNodes, SERVICE_ID } from '../lib/vigil-config.js';
import { buildCore, listenCore } from '../lib/vigil-core.js';

const core = buildCore(loadBenchConfig(pushNodes(1)));
const { port } = await listenCore(core);

serveParent<ServerApi>({ port } satisfies ServerReady, {
  stats: () => ({ cpuMs: cpuMs(), replicas: core.model.node(SERVICE_ID, PUSH_NODE_ID)?.replicas.size }),
});
