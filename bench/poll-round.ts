// One poll round of 10,000 HTTP replicas through Vigil's real prober, beside a bare loop of the
// same node:http requests; the loopback target runs in its own process.

import type { PollWorkerApi, RoundParams, RoundResult } from './children/poll-worker.js';
import type { Benchmark, FigureRow } from './lib/benchmark.js';
import { judge } from './lib/benchmark.js';
import { withChild } from './lib/child.js';
import { connectionLimits, timeWaitSockets } from './lib/host.js';
import type { ServerApi, ServerReady } from './lib/rpc.js';
import { count, ms, ratio } from './lib/table.js';
import { describeFailures, describeWarnings } from './lib/vigil-round.js';

const REPLICAS = 10_000;
const PARALLELISM = 256;
const TARGET_MS = 10_000;
/** Far above the target, so a slow round is reported rather than cut short; still bounded. */
const ROUND_TIMEOUT_MS = 60_000;

const POLL_WORKER = new URL('./children/poll-worker.ts', import.meta.url);

async function round(
  mode: 'vigil' | 'bare',
  params: RoundParams,
): Promise<RoundResult & { timeWait?: number }> {
  return withChild<PollWorkerApi, null, RoundResult>(POLL_WORKER, {}, (worker) =>
    worker.call(mode, params, ROUND_TIMEOUT_MS + 30_000),
  ).then((result) => ({ ...result, timeWait: timeWaitSockets() }));
}

const perSecond = (result: RoundResult) => (result.checked / result.durationMs) * 1000;

const benchmark: Benchmark = {
  title: `Poll round: ${count(REPLICAS)} HTTP replicas on 127.0.0.1, poll_parallelism = ${PARALLELISM}`,
  async run() {
    const limits = connectionLimits();
    return withChild<ServerApi, ServerReady, Awaited<ReturnType<Benchmark['run']>>>(
      new URL('./children/bare-server.ts', import.meta.url),
      { args: ['ok'] },
      async (target) => {
        const params: RoundParams = {
          port: target.ready.port,
          replicas: REPLICAS,
          parallelism: PARALLELISM,
          timeoutMs: ROUND_TIMEOUT_MS,
        };
        const bare = await round('bare', params);
        const vigil = await round('vigil', params);
        const inThread = await round('vigil', { ...params, inWorker: false });
        const targetStats = await target.call('stats', undefined);
        const rows: FigureRow[] = [
          {
            figure: 'round duration',
            vigil: ms(vigil.durationMs),
            baseline: ms(bare.durationMs),
            ratio: ratio(vigil.durationMs, bare.durationMs),
            target: `≤ ${TARGET_MS / 1000} s`,
            verdict: judge(vigil.durationMs, TARGET_MS, 'lower'),
          },
          {
            figure: 'round duration, checks on the main thread (poll_in_worker = false)',
            vigil: ms(inThread.durationMs),
            baseline: ms(bare.durationMs),
            ratio: ratio(inThread.durationMs, bare.durationMs),
            target: `≤ ${TARGET_MS / 1000} s`,
            verdict: judge(inThread.durationMs, TARGET_MS, 'lower'),
          },
          {
            figure: 'probes/s',
            vigil: count(perSecond(vigil)),
            baseline: count(perSecond(bare)),
            ratio: ratio(perSecond(vigil), perSecond(bare)),
            verdict: 'INFO',
          },
          {
            figure: 'healthy',
            vigil: count(vigil.healthy),
            baseline: count(bare.healthy),
            target: `= ${count(REPLICAS)}`,
            verdict: judge(vigil.healthy, REPLICAS, 'higher'),
          },
          {
            figure: 'prober CPU',
            vigil: ms(vigil.cpuMs),
            baseline: ms(bare.cpuMs),
            ratio: ratio(vigil.cpuMs, bare.cpuMs),
            verdict: 'INFO',
          },
          {
            figure: 'prober CPU, checks on the main thread',
            vigil: ms(inThread.cpuMs),
            baseline: ms(bare.cpuMs),
            ratio: ratio(inThread.cpuMs, bare.cpuMs),
            verdict: 'INFO',
          },
        ];
        return {
          rows,
          notes: [
            `Host: ${limits}.`,
            `TIME_WAIT after the bare loop: ${bare.timeWait ?? 'unknown'}, after the Vigil round: ${vigil.timeWait ?? 'unknown'}; the target served ${count(targetStats.requests ?? 0)} requests.`,
            'Vigil spreads the starts of its round evenly over min(1 s, poll_interval) on purpose; that second is in its round duration, the bare loop starts all at once.',
            `Loading and building the ${count(REPLICAS)}-replica config took ${ms(vigil.setupMs ?? 0)} (outside the round).`,
            ...describeFailures('Vigil', vigil),
            ...describeFailures('Vigil (main thread)', inThread),
            ...describeFailures('bare', bare),
            ...describeWarnings('Vigil', vigil),
            ...describeWarnings('bare', bare),
          ],
        };
      },
    );
  },
};
export default benchmark;
