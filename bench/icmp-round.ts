// One poll round of 10,000 ICMP replicas (127.0.0.0/8) through Vigil's real prober, its checks
// batched through fping, beside the same prober running one ping process per check (the fallback,
// and how every check ran before) and a bare fping run over the same addresses.

import type { IcmpRoundParams, IcmpWorkerApi } from './children/icmp-worker.js';
import type { Benchmark } from './lib/benchmark.js';
import { judge } from './lib/benchmark.js';
import { withChild } from './lib/child.js';
import { count, ms, ratio } from './lib/table.js';
import { describeFailures, describeWarnings, type RoundResult } from './lib/vigil-round.js';

const REPLICAS = 10_000;
const PARALLELISM = 1_000;
/**
 * One ping process per check costs ~5 ms CPU: a tenth of the replicas is enough for its figure, at
 * the poll-round's parallelism (a thousand ping processes at once starve a small box).
 */
const PER_CHECK_PING = { replicas: 1_000, parallelism: 256 };
const TARGET_CPU_PER_CHECK_MS = 0.3;
/** Far above what a round takes, so a slow round is reported rather than cut short; still bounded. */
const ROUND_TIMEOUT_MS = 120_000;

const ICMP_WORKER = new URL('./children/icmp-worker.ts', import.meta.url);

function round(mode: keyof IcmpWorkerApi, params: IcmpRoundParams): Promise<RoundResult> {
  return withChild<IcmpWorkerApi, null, RoundResult>(ICMP_WORKER, {}, (worker) =>
    worker.call(mode, params, ROUND_TIMEOUT_MS + 30_000),
  );
}

const perCheck = (result: RoundResult) => (result.checked > 0 ? result.cpuMs / result.checked : 0);
const perCheckMs = (result: RoundResult) => `${perCheck(result).toFixed(3)} ms`;

const benchmark: Benchmark = {
  title: `ICMP round: ${count(REPLICAS)} ICMP replicas on 127.0.0.0/8, poll_parallelism = ${PARALLELISM}`,
  async run() {
    const params = { replicas: REPLICAS, parallelism: PARALLELISM, timeoutMs: ROUND_TIMEOUT_MS };
    const bare = await round('bare', params);
    const vigil = await round('vigil', params);
    const perCheckPing = await round('perCheckPing', { ...params, ...PER_CHECK_PING });
    return {
      rows: [
        {
          figure: 'CPU per check, fping batches',
          vigil: perCheckMs(vigil),
          baseline: perCheckMs(bare),
          ratio: ratio(perCheck(vigil), perCheck(bare)),
          target: `≤ ${TARGET_CPU_PER_CHECK_MS} ms`,
          verdict: judge(perCheck(vigil), TARGET_CPU_PER_CHECK_MS, 'lower'),
        },
        {
          figure: 'CPU per check, one ping per check',
          vigil: perCheckMs(perCheckPing),
          baseline: perCheckMs(bare),
          ratio: ratio(perCheck(perCheckPing), perCheck(bare)),
          verdict: 'INFO',
        },
        {
          figure: 'round duration, fping batches',
          vigil: ms(vigil.durationMs),
          baseline: ms(bare.durationMs),
          ratio: ratio(vigil.durationMs, bare.durationMs),
          verdict: 'INFO',
        },
        {
          figure: 'healthy, fping batches',
          vigil: count(vigil.healthy),
          baseline: count(bare.healthy),
          target: `= ${count(REPLICAS)}`,
          verdict: judge(vigil.healthy, REPLICAS, 'higher'),
        },
      ],
      notes: [
        'CPU is the checking process plus the fping/ping processes it ran (/proc/self/stat cutime + cstime).',
        `Baseline: one fping process over the same ${count(REPLICAS)} addresses (-C 1 -q -i 0, addresses on stdin), no Vigil around it.`,
        `"One ping per check" is the same prober with fping absent, over ${count(PER_CHECK_PING.replicas)} replicas at parallelism ${PER_CHECK_PING.parallelism} (${ms(perCheckPing.durationMs)} round); it is the fallback and how every check ran before.`,
        'Vigil spreads the starts of its round evenly over min(1 s, poll_interval) on purpose; that second is in its round duration.',
        ...describeFailures('Vigil', vigil),
        ...describeFailures('one-ping-per-check', perCheckPing),
        ...describeFailures('bare fping', bare),
        ...describeWarnings('Vigil', vigil),
        ...describeWarnings('one-ping-per-check', perCheckPing),
      ],
    };
  },
};
export default benchmark;
