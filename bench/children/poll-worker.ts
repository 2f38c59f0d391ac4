// Child: makes one round of HTTP checks against the loopback target, either through Vigil's real
// prober (`vigil`) or through a bare loop of node:http requests (`bare`). A fresh process per mode,
// so neither inherits the other's warmed-up JIT or heap.
import { setMaxListeners } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { ReplicaState } from '../../packages/server/src/model/health-model.js';
import { cpuMs, serveParent } from '../lib/serve-parent.js';
import { loadBenchConfig, pollNodes } from '../lib/vigil-config.js';
import { buildCore } from '../lib/vigil-core.js';

export interface RoundParams {
  port: number;
  replicas: number;
  parallelism: number;
  /** The whole round is aborted after this long, whatever is still in flight. */
  timeoutMs: number;
}

export interface RoundResult {
  durationMs: number;
  /** Checks that came back 200 (bare) or replicas probed and healthy (Vigil). */
  healthy: number;
  /** Checks that completed at all. */
  checked: number;
  /** Why checks failed, e.g. `EADDRNOTAVAIL` when ephemeral ports run out, with counts. */
  failures: Record<string, number>;
  cpuMs: number;
  /** Time to load and build the config, outside the round (Vigil only). */
  setupMs?: number;
  /** Process warnings during the round, e.g. MaxListenersExceededWarning. */
  warnings: string[];
}

const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

/** Vigil nodes usually hold a handful of replicas; 5 per node keeps the shape realistic. */
const REPLICAS_PER_NODE = 5;

const replicaUrl = (port: number) => (replica: number) => `http://127.0.0.1:${port}/r/${replica}`;

function tally(failures: Record<string, number>, reason: string): void {
  failures[reason] = (failures[reason] ?? 0) + 1;
}

/** The real thing: config loader → topology → model → createProbers(...).poll.runRound(). */
async function vigilRound({ port, replicas, parallelism, timeoutMs }: RoundParams): Promise<RoundResult> {
  const setupStarted = performance.now();
  const failures: Record<string, number> = {};
  const { model, probers } = buildCore(
    loadBenchConfig(
      pollNodes(Math.ceil(replicas / REPLICAS_PER_NODE), REPLICAS_PER_NODE, replicaUrl(port)),
      `poll_parallelism = ${parallelism}\n`,
    ),
    (error) => tally(failures, `job error: ${String(error)}`),
  );
  model.events.on('replica-changed', ({ current, reason }) => {
    if (current !== 'healthy') tally(failures, reason ?? current);
  });
  const setupMs = performance.now() - setupStarted;

  const cpuBefore = cpuMs();
  const durationMs = await probers.poll.runRound(AbortSignal.timeout(timeoutMs));
  const cpu = cpuMs() - cpuBefore;

  // Every replica starts healthy in the model, so only the ones this round checked count.
  const states: ReplicaState[] = [...model.services.values()].flatMap((service) =>
    [...service.nodes.values()].flatMap((node) => [...node.replicas.values()]),
  );
  const checked = states.filter((state) => state.checkedAtMs !== undefined);
  model.stop();
  return {
    durationMs,
    healthy: checked.filter((state) => state.health === 'healthy').length,
    checked: checked.length,
    failures,
    cpuMs: cpu,
    setupMs,
    warnings,
  };
}

/** One HEAD on a fresh connection (agent: false, as Vigil's probe), the response dropped unread. */
function head(url: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'HEAD', agent: false, signal });
    request.on('response', (response) => {
      response.destroy();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

/** The baseline: the same requests from `parallelism` workers pulling from one counter. */
async function bareRound({ port, replicas, parallelism, timeoutMs }: RoundParams): Promise<RoundResult> {
  const url = replicaUrl(port);
  const signal = AbortSignal.timeout(timeoutMs);
  // Every request in flight listens on it; past 10 Node warns of a leak that is not one.
  setMaxListeners(parallelism * 2, signal);
  const failures: Record<string, number> = {};
  let cursor = 0;
  let healthy = 0;
  let checked = 0;
  const worker = async () => {
    while (cursor < replicas && !signal.aborted) {
      const replica = cursor++;
      try {
        const status = await head(url(replica), signal);
        checked++;
        if (status === 200) healthy++;
        else tally(failures, `status ${status}`);
      } catch (error) {
        tally(failures, (error as NodeJS.ErrnoException).code ?? String(error));
      }
    }
  };
  const cpuBefore = cpuMs();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(parallelism, replicas) }, worker));
  const durationMs = performance.now() - started;
  return { durationMs, healthy, checked, failures, cpuMs: cpuMs() - cpuBefore, warnings };
}

const api = { vigil: vigilRound, bare: bareRound };
export type PollWorkerApi = typeof api;
serveParent(null, api);
