// Child: makes one round of HTTP checks against the loopback target, either through Vigil's real
// prober (`vigil`) or through a bare loop of node:http requests (`bare`). A fresh process per mode,
// so neither inherits the other's warmed-up JIT or heap.
import { setMaxListeners } from 'node:events';
import { request as httpRequest } from 'node:http';
import { cpuMs, serveParent } from '../lib/serve-parent.js';
import { pollNodes, REPLICAS_PER_NODE } from '../lib/vigil-config.js';
import { type RoundResult, tally, vigilRound } from '../lib/vigil-round.js';

export type { RoundResult };

export interface RoundParams {
  port: number;
  replicas: number;
  parallelism: number;
  /** The whole round is aborted after this long, whatever is still in flight. */
  timeoutMs: number;
  /** Vigil's checks in its prober thread (`poll_in_worker`, the default) or on the main thread. */
  inWorker?: boolean;
}

const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

const replicaUrl = (port: number) => (replica: number) => `http://127.0.0.1:${port}/r/${replica}`;

/** Vigil's real prober over HTTP replicas. */
const vigilHttpRound = ({ port, replicas, parallelism, timeoutMs, inWorker = true }: RoundParams) =>
  vigilRound(
    {
      nodes: pollNodes(Math.ceil(replicas / REPLICAS_PER_NODE), REPLICAS_PER_NODE, replicaUrl(port)),
      metrics: `poll_parallelism = ${parallelism}\npoll_in_worker = ${inWorker}\n`,
      timeoutMs,
    },
    warnings,
  );

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

const api = { vigil: vigilHttpRound, bare: bareRound };
export type PollWorkerApi = typeof api;
serveParent(null, api);
