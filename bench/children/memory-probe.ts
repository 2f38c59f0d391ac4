// Child: builds what `vigil` holds in memory for a config — loaded config, topology, model,
// probers (not started) and the fastify app listening — then reports memory after full GCs.
// Arguments: poll nodes, replicas per poll node, push nodes, replicas per push node. With no nodes it
// imports the same modules and builds nothing: the baseline.
import { systemClock } from '../../packages/server/src/time/clock.js';
import { sourcesFor } from '../../packages/server/test/helpers/model.js';
import { serveParent } from '../lib/serve-parent.js';
import { loadBenchConfig, pollNodes, pushNodes, SERVICE_ID } from '../lib/vigil-config.js';
import { buildCore, listenCore } from '../lib/vigil-core.js';

export interface MemoryReady {
  replicas: number;
  buildMs: number;
}

const [pollNodeCount = 0, perPollNode = 0, pushNodeCount = 0, perPushNode = 0] = process.argv
  .slice(2)
  .map(Number);

/** Replica URLs on the discard port: never contacted, since the probers are not started. */
async function build(): Promise<{ keep: unknown; replicas: number }> {
  const loaded = loadBenchConfig(
    pollNodes(pollNodeCount, perPollNode, (n) => `http://127.0.0.1:9/r/${n}`) + pushNodes(pushNodeCount),
  );
  const core = buildCore(loaded);
  const observe = sourcesFor(core.model, systemClock);
  // Each push replica reported once, as after a reporter's first report: state plus a deadline timer.
  for (let node = 1; node <= pushNodeCount; node++) {
    for (let replica = 0; replica < perPushNode; replica++) {
      observe.push(SERVICE_ID, `h${node}`, `host-${replica}`, 30, { cpu: 0.42, ram: 0.61 });
    }
  }
  const { app } = await listenCore(core);
  return {
    keep: { core, app },
    replicas: pollNodeCount * perPollNode + pushNodeCount * perPushNode,
  };
}

const started = performance.now();
// `built.keep` stays referenced from module scope, so GC cannot take what a running server would hold.
const built = pollNodeCount + pushNodeCount > 0 ? await build() : { keep: undefined, replicas: 0 };
const ready: MemoryReady = { replicas: built.replicas, buildMs: performance.now() - started };

const api = {
  measure: () => {
    if (!globalThis.gc) throw new Error('start with --expose-gc');
    // Several passes: one full GC can leave garbage that only a later pass finds (weak refs, finalizers).
    for (let pass = 0; pass < 3; pass++) globalThis.gc();
    return process.memoryUsage();
  },
};
export type MemoryProbeApi = typeof api;
serveParent(ready, api);
