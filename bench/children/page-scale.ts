// Child: the status page (its real cache, fragments and compression) over a model of N poll nodes ×
// M replicas, driven the way poll rounds drive it: every replica's result in turn, in batches, a few
// changing state. Reports the page's size, what each render cost and the event loop's longest holds.
// Arguments: nodes, replicas per node. Replicas are never contacted: results are handed to the model.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryAnnouncementStore } from '../../packages/server/src/announcements/memory.js';
import type { Health } from '../../packages/server/src/model/health.js';
import {
  HealthModel,
  healthModelSettings,
  type ReplicaRef,
} from '../../packages/server/src/model/health-model.js';
import { buildTopology } from '../../packages/server/src/model/topology.js';
import { systemClock } from '../../packages/server/src/time/clock.js';
import { BrandedParts } from '../../packages/server/src/web/branded-parts.js';
import type { RenderCost } from '../../packages/server/src/web/page/cache.js';
import { renderPage } from '../../packages/server/src/web/page/render.js';
import { createStatusPage } from '../../packages/server/src/web/page/status-page.js';
import {
  compressed,
  PAGE_BROTLI_QUALITY,
  prepareIdentity,
} from '../../packages/server/src/web/representation.js';
import { sourcesFor } from '../../packages/server/test/helpers/model.js';
import { serveParent } from '../lib/serve-parent.js';
import { loadBenchConfig, pollNodes } from '../lib/vigil-config.js';

const [nodeCount = 0, perNode = 0] = process.argv.slice(2).map(Number);

/** Results handed over per turn of the loop, as the prober thread's batches arrive. */
const BATCH = 1000;
/** Between two batches: 100 batches of 1,000 spread a 100,000-replica round over about 2 s. */
const BATCH_SPACING_MS = 20;

const { config } = loadBenchConfig(pollNodes(nodeCount, perNode, (n) => `http://127.0.0.1:9/r/${n}`));
const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), systemClock);
const observe = sourcesFor(model, systemClock);
const refs: ReplicaRef[] = [];
for (const service of model.services.values()) {
  for (const node of service.nodes.values()) {
    for (const replicaId of node.replicas.keys())
      refs.push({ serviceId: service.spec.id, nodeId: node.spec.id, replicaId });
  }
}
/** Replica `index`'s result in round `round`: about 1 in 100 sick or dead, a different few each round. */
function result(index: number, round: number): { health: Health; latencyMs: number; reason?: string } {
  const spot = (index * 7 + round * 13) % 100;
  const health: Health = spot === 0 ? 'dead' : spot === 1 ? 'sick' : 'healthy';
  return {
    health,
    latencyMs: 5 + ((index + round * 31) % 400),
    ...(health !== 'healthy' && { reason: 'timed out' }),
  };
}
// The first round, before anyone looks: the page starts from a probed fleet.
refs.forEach((ref, index) => {
  observe.probe(ref, result(index, 0));
});

const branded = new BrandedParts(config);
const announcements = new MemoryAnnouncementStore(systemClock);
const pageInput = () => ({
  model,
  announcements: announcements.list(),
  branding: config.branding,
  nowMs: systemClock.now(),
  assetUrl: branded.assets().url,
});
const page = createStatusPage({
  model,
  announcements,
  settings: config,
  assets: () => branded.assets(),
  clock: systemClock,
});

export interface PageScaleReady {
  replicas: number;
  nodes: number;
}

export interface RenderFigures {
  /** A whole render (every row from the model, in one piece; median of 3), and its page's bytes. */
  fullRenderMs: number;
  fullBytes: number;
  /** The page cache's renders during the rounds: how many, their cost in all and longest slice. */
  renders: number;
  incrementalMedianMs: number;
  incrementalMaxMs: number;
  longestSliceMs: number;
  /** The same slice's CPU time (the process's: other threads working meanwhile count too). */
  longestSliceCpuMs: number;
  /** The synchronous start of the served page's compression (setting up gzip and brotli), worst of 5: real and CPU time. */
  compressionStartMs: number;
  compressionStartCpuMs: number;
  /** The page served after the rounds, and its gzip. */
  bytes: number;
  gzipBytes: number;
  /** The loop's longest hold during the rounds (results applied in batches, renders, compression). */
  roundLoopMaxMs: number;
  /** The loop's longest hold while only the page renders and compresses (one change every 50 ms). */
  renderLoopMaxMs: number;
  /** The same wait with nothing changing. */
  idleLoopMaxMs: number;
  /** Every replica dead: the page's bytes (the summaries' bounds at work). */
  allDeadBytes: number;
}

/** Times the part of compressing `body` that runs on the event loop: the call, up to its first await. */
async function compressionStart(
  body: Buffer,
): Promise<{ compressionStartMs: number; compressionStartCpuMs: number }> {
  let compressionStartMs = 0;
  let compressionStartCpuMs = 0;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const plain = prepareIdentity(body, { contentType: 'text/html; charset=utf-8' });
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const done = compressed(plain, PAGE_BROTLI_QUALITY);
    const cpu = process.cpuUsage(cpuStarted);
    compressionStartMs = Math.max(compressionStartMs, performance.now() - started);
    compressionStartCpuMs = Math.max(compressionStartCpuMs, (cpu.user + cpu.system) / 1000);
    await done;
  }
  return { compressionStartMs, compressionStartCpuMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function measure({ rounds }: { rounds: number }): Promise<RenderFigures> {
  // The median of three: the first render of a process also pays for compiling the code.
  const wholeRenders = Array.from({ length: 3 }, () => {
    const started = performance.now();
    const html = renderPage(pageInput());
    return { html, ms: performance.now() - started };
  });
  const full = wholeRenders[0]?.html ?? '';
  const fullRenderMs = median(wholeRenders.map((render) => render.ms));

  const costs: RenderCost[] = [];
  // Each new version is asked for as a request would, so it is compressed as it is in service.
  const stop = page.onChange(() =>
    setImmediate(() => {
      costs.push(page.lastRenderCost());
      void page.compressedCurrent();
    }),
  );
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  for (let round = 1; round <= rounds; round += 1) {
    for (let first = 0; first < refs.length; first += BATCH) {
      for (let index = first; index < Math.min(first + BATCH, refs.length); index += 1) {
        observe.probe(refs[index] as ReplicaRef, result(index, round));
      }
      await sleep(BATCH_SPACING_MS);
    }
  }
  await sleep(1500);
  loop.disable();
  const roundLoopMaxMs = loop.max / 1e6;

  // Only the page now: one replica changes every 50 ms, the page renders and compresses every
  // 200 ms. Then the same wait with nothing changing: the loop's holds that are not the page's
  // (garbage collection of a large heap, other processes on the machine taking the CPU).
  const pageOnly = async (change: boolean) => {
    loop.reset();
    loop.enable();
    for (let step = 0; step < 60; step += 1) {
      if (change) observe.probe(refs[(step * 997) % refs.length] as ReplicaRef, result(step, rounds + 1));
      await sleep(50);
    }
    await sleep(500);
    loop.disable();
    return loop.max / 1e6;
  };
  const renderLoopMaxMs = await pageOnly(true);
  const idleLoopMaxMs = await pageOnly(false);
  stop();
  const served = await page.compressedCurrent();

  for (const ref of refs) observe.probe(ref, { health: 'dead', latencyMs: 1, reason: 'refused' });
  const allDead = renderPage(pageInput());
  return {
    fullRenderMs,
    fullBytes: Buffer.byteLength(full),
    renders: costs.length,
    incrementalMedianMs: median(costs.map((cost) => cost.totalMs)),
    incrementalMaxMs: Math.max(0, ...costs.map((cost) => cost.totalMs)),
    longestSliceMs: Math.max(0, ...costs.map((cost) => cost.longestSliceMs)),
    longestSliceCpuMs: Math.max(0, ...costs.map((cost) => cost.longestSliceCpuMs)),
    ...(await compressionStart(served.identity)),
    bytes: served.identity.length,
    gzipBytes: served.gzip?.length ?? 0,
    roundLoopMaxMs,
    renderLoopMaxMs,
    idleLoopMaxMs,
    allDeadBytes: Buffer.byteLength(allDead),
  };
}

const ready: PageScaleReady = { replicas: refs.length, nodes: nodeCount };
const api = { measure };
export type PageScaleApi = typeof api;
serveParent(ready, api);
