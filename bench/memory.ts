// Resident memory of a server holding 10,000 replicas (half poll, half push reported once), over a
// bare process that imported the same modules; a small build separates per-replica from fixed cost.

import type { MemoryProbeApi, MemoryReady } from './children/memory-probe.js';
import type { Benchmark } from './lib/benchmark.js';
import { judge } from './lib/benchmark.js';
import { withChild } from './lib/child.js';
import { count, megabytes } from './lib/table.js';

const POLL_NODES = 1_000;
const REPLICAS_PER_POLL_NODE = 5;
const PUSH_NODES = 50;
const REPLICAS_PER_PUSH_NODE = 100;
const TARGET_BYTES = 150 * 1024 * 1024;

const PROBE = new URL('./children/memory-probe.ts', import.meta.url);

/** Starts a probe process for the given node counts and reads its memory after GC. */
function sample(pollNodes: number, pushNodes: number) {
  const args = [pollNodes, REPLICAS_PER_POLL_NODE, pushNodes, REPLICAS_PER_PUSH_NODE].map(String);
  return withChild<MemoryProbeApi, MemoryReady, { ready: MemoryReady; usage: NodeJS.MemoryUsage }>(
    PROBE,
    { args, nodeArgs: ['--expose-gc'] },
    async (probe) => ({ ready: probe.ready, usage: await probe.call('measure', undefined) }),
  );
}

const perReplica = (bytes: number, replicas: number) => `${count(bytes / replicas)} B`;

const benchmark: Benchmark = {
  title: `Memory: ${count(POLL_NODES * REPLICAS_PER_POLL_NODE)} poll + ${count(PUSH_NODES * REPLICAS_PER_PUSH_NODE)} push replicas, listening, not probing`,
  async run() {
    const bare = await sample(0, 0);
    const small = await sample(1, 1);
    const full = await sample(POLL_NODES, PUSH_NODES);
    const replicas = full.ready.replicas;
    const rss = full.usage.rss - bare.usage.rss;
    const heap = full.usage.heapUsed - bare.usage.heapUsed;
    const marginalReplicas = replicas - small.ready.replicas;
    return {
      rows: [
        {
          figure: 'process RSS (tsx)',
          vigil: megabytes(full.usage.rss),
          baseline: megabytes(bare.usage.rss),
          verdict: 'INFO',
        },
        {
          figure: 'RSS over bare',
          vigil: megabytes(rss),
          baseline: '',
          target: `≤ ${megabytes(TARGET_BYTES)}`,
          verdict: judge(rss, TARGET_BYTES, 'lower'),
        },
        {
          figure: 'heap used over bare',
          vigil: megabytes(heap),
          baseline: `bare heap ${megabytes(bare.usage.heapUsed)}`,
          verdict: 'INFO',
        },
        {
          figure: 'RSS per replica',
          vigil: perReplica(rss, replicas),
          baseline: '',
          verdict: 'INFO',
        },
        {
          figure: 'marginal per replica',
          vigil: `${perReplica(full.usage.rss - small.usage.rss, marginalReplicas)} RSS, ${perReplica(full.usage.heapUsed - small.usage.heapUsed, marginalReplicas)} heap`,
          baseline: `vs ${count(small.ready.replicas)}-replica build`,
          verdict: 'INFO',
        },
      ],
      notes: [
        `Replicas held: ${count(replicas)}; building them (config load, topology, model, ${count(PUSH_NODES * REPLICAS_PER_PUSH_NODE)} push reports, app) took ${count(full.ready.buildMs)} ms.`,
        `The ${count(small.ready.replicas)}-replica build is ${megabytes(small.usage.rss - bare.usage.rss)} RSS over bare: the fixed cost of a listening app.`,
        'Memory is read after three forced full GCs (--expose-gc); RSS keeps pages V8 has not returned to the OS.',
        'The bare process is Node (~40 MB), tsx (~40 MB: its loader thread and compile caches) and the imported modules; a `tsc` build needs no tsx.',
      ],
    };
  },
};
export default benchmark;
