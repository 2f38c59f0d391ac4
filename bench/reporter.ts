// Reporter API throughput: the real Vigil TS server vs a bare node:http server answering the same
// push report, each in its own process, loaded by autocannon from this one. The two are measured in
// alternating slices, so a burst of other work on the box skews both alike.
import { combineLoads, type LoadResult, okPerSecond, runLoad } from './lib/autocannon.js';
import { type Benchmark, type FigureRow, judge } from './lib/benchmark.js';
import { type Child, withChild } from './lib/child.js';
import { envNumber } from './lib/env.js';
import type { ServerApi, ServerReady, ServerStats } from './lib/rpc.js';
import { count, ms, ratio } from './lib/table.js';
import { loadBenchConfig, PUSH_NODE_ID, pushNodes, SERVICE_ID } from './lib/vigil-config.js';

const CONNECTIONS = 64;
/** Reporters cycled through, so the model grows to a realistic fleet instead of one hot replica. */
const REPLICAS = Math.floor(envNumber('BENCH_REPORTER_REPLICAS', 1_000));
/** Slices per server; the measured time (BENCH_SECONDS) is split between them. */
const SLICES = 2;
/** Issue 9: a push report costs at most ~1.4× what a bare node:http server spends on it. */
const TARGET_RATIO = 0.7;
/** ci-notes §4: a sensible CI gate is p99 under 50 ms. */
const TARGET_P99_MS = 50;

/** The 66-byte report of ci-notes §4, replica id varied: {"replica":"host-1","interval":30,…}. */
const BODIES = Array.from({ length: REPLICAS }, (_, index) =>
  JSON.stringify({ replica: `host-${index + 1}`, interval: 30, load: { cpu: 0.42, ram: 0.61 } }),
);

/** The token the child's config holds; the bare server ignores the header but receives it all the same. */
const REPORTER_TOKEN = loadBenchConfig(pushNodes(1)).config.server.reporter_token;

type Server = Child<ServerApi, ServerReady>;

interface Measured {
  load: LoadResult;
  stats: ServerStats;
  /** Share of one core each side used over the measured slices. */
  serverCpu: number;
  clientCpu: number;
  serverCpuUsPerRequest: number;
}

/** Per server: the slices' loads plus the CPU both sides spent and the wall time they took. */
class Tally {
  readonly slices: LoadResult[] = [];
  serverCpuMs = 0;
  clientCpuMs = 0;
  wallMs = 0;
  stats: ServerStats = { cpuMs: 0 };

  result(): Measured {
    const load = combineLoads(this.slices);
    return {
      load,
      stats: this.stats,
      serverCpu: this.serverCpuMs / this.wallMs,
      clientCpu: this.clientCpuMs / this.wallMs,
      serverCpuUsPerRequest: (this.serverCpuMs * 1000) / (load.ok + load.non2xx),
    };
  }
}

function loadServer(server: Server, durationSeconds: number): Promise<LoadResult> {
  return runLoad({
    url: `http://127.0.0.1:${server.ready.port}/reporter/${SERVICE_ID}/${PUSH_NODE_ID}/`,
    method: 'POST',
    // Vigil's reporter auth: Basic with an empty user and the token as password.
    headers: {
      authorization: `Basic ${Buffer.from(`:${REPORTER_TOKEN}`).toString('base64')}`,
      'content-type': 'application/json; charset=utf-8',
    },
    connections: CONNECTIONS,
    durationSeconds,
    bodies: BODIES,
  });
}

async function slice(server: Server, tally: Tally, durationSeconds: number): Promise<void> {
  const before = await server.call('stats', undefined);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  tally.slices.push(await loadServer(server, durationSeconds));
  tally.wallMs += performance.now() - started;
  const client = process.cpuUsage(clientBefore);
  tally.stats = await server.call('stats', undefined);
  tally.serverCpuMs += tally.stats.cpuMs - before.cpuMs;
  tally.clientCpuMs += (client.user + client.system) / 1000;
}

/** Both servers up at once (an idle one costs nothing), warmed up, then bare, Vigil, bare, Vigil… */
async function measureBoth(): Promise<{ bare: Measured; vigil: Measured }> {
  const sliceSeconds = Math.max(1, Math.round(envNumber('BENCH_SECONDS', 10) / SLICES));
  const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 2);
  const bareScript = new URL('./children/bare-server.ts', import.meta.url);
  const vigilScript = new URL('./children/vigil-reporter.ts', import.meta.url);
  return withChild<ServerApi, ServerReady, { bare: Measured; vigil: Measured }>(
    bareScript,
    { args: ['reporter'] },
    (bare) =>
      withChild<ServerApi, ServerReady, { bare: Measured; vigil: Measured }>(
        vigilScript,
        {},
        async (vigil) => {
          // Warm-up: JIT, connection setup and, for Vigil, the model filling up with the replicas.
          await loadServer(bare, warmupSeconds);
          await loadServer(vigil, warmupSeconds);
          const tallies = { bare: new Tally(), vigil: new Tally() };
          for (let index = 0; index < SLICES; index++) {
            await slice(bare, tallies.bare, sliceSeconds);
            await slice(vigil, tallies.vigil, sliceSeconds);
          }
          return { bare: tallies.bare.result(), vigil: tallies.vigil.result() };
        },
      ),
  );
}

function problems(name: string, { load }: Measured): string[] {
  const bad = load.non2xx + load.errors + load.timeouts;
  return bad === 0
    ? []
    : [
        `${name}: ${count(load.non2xx)} non-2xx, ${count(load.errors)} errors, ${count(load.timeouts)} timeouts`,
      ];
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

const benchmark: Benchmark = {
  title: `Reporter API: POST /reporter/${SERVICE_ID}/${PUSH_NODE_ID}/, ${CONNECTIONS} connections, ${count(REPLICAS)} replicas`,
  async run() {
    const { bare, vigil } = await measureBoth();
    const vigilRate = okPerSecond(vigil.load);
    const bareRate = okPerSecond(bare.load);
    const rows: FigureRow[] = [
      {
        figure: 'req/s (2xx)',
        vigil: count(vigilRate),
        baseline: count(bareRate),
        ratio: ratio(vigilRate, bareRate),
        target: `≥ ${TARGET_RATIO.toFixed(2)}× bare`,
        verdict: judge(vigilRate / bareRate, TARGET_RATIO, 'higher'),
      },
      { figure: 'latency p50', vigil: ms(vigil.load.p50Ms), baseline: ms(bare.load.p50Ms), verdict: 'INFO' },
      {
        figure: 'latency p99',
        vigil: ms(vigil.load.p99Ms),
        baseline: ms(bare.load.p99Ms),
        target: `≤ ${TARGET_P99_MS} ms`,
        verdict: judge(vigil.load.p99Ms, TARGET_P99_MS, 'lower'),
      },
      {
        figure: 'server CPU per request',
        vigil: `${count(vigil.serverCpuUsPerRequest)} µs`,
        baseline: `${count(bare.serverCpuUsPerRequest)} µs`,
        ratio: ratio(vigil.serverCpuUsPerRequest, bare.serverCpuUsPerRequest),
        verdict: 'INFO',
      },
    ];
    return {
      rows,
      notes: [
        `${SLICES} alternating slices per server; latency is the worse slice's. CPU as a share of one core: Vigil server ${percent(vigil.serverCpu)}, bare server ${percent(bare.serverCpu)}; autocannon ${percent(vigil.clientCpu)} / ${percent(bare.clientCpu)} (a server under 100% means the client or the box was the limit).`,
        `Replicas in the model after the run: ${vigil.stats.replicas ?? 'unknown'} (expected ${count(REPLICAS)}).`,
        ...problems('Vigil', vigil),
        ...problems('bare', bare),
      ],
    };
  },
};
export default benchmark;
