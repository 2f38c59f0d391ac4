// Reporter API throughput (issue 9): the real `vigil` binary (SQLite store, history, page, alerts:
// everything `vigil -c` starts) vs a bare node:http server answering the same push report, each in
// its own process, loaded by autocannon from this one. The two are measured in alternating slices,
// so a burst of other work on the box skews both alike.
import { join } from 'node:path';
import { combineLoads, type LoadResult, okPerSecond, runLoad } from './lib/autocannon.js';
import { type Benchmark, type FigureRow, judge } from './lib/benchmark.js';
import { withChild } from './lib/child.js';
import { envNumber } from './lib/env.js';
import { processCpuMs } from './lib/host.js';
import type { ServerApi, ServerReady } from './lib/rpc.js';
import { count, ms, ratio } from './lib/table.js';
import { startVigilBinary, type VigilBinary } from './lib/vigil-binary.js';
import { benchConfigText, loadBenchConfig, PUSH_NODE_ID, pushNodes, SERVICE_ID } from './lib/vigil-config.js';

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

/**
 * The real binary's config: one push node, the shipped config's log level, the SQLite store in the
 * run's temp folder; the page, history and everything else as `vigil` starts them by default.
 */
function vigilConfig(inet: string, folder: string): string {
  const base = benchConfigText(pushNodes(1))
    .replace('inet = "127.0.0.1:0"', `inet = "${inet}"`)
    .replace('log_level = "off"', 'log_level = "info"');
  return `${base}\n[storage]\nengine = "sqlite"\npath = ${JSON.stringify(join(folder, 'vigil.db'))}\n`;
}

/** A server under load: where it listens and the CPU time (user + system) it has used so far. */
interface Server {
  port: number;
  cpuMs(): Promise<number>;
}

interface Measured {
  load: LoadResult;
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

  result(): Measured {
    const load = combineLoads(this.slices);
    return {
      load,
      serverCpu: this.serverCpuMs / this.wallMs,
      clientCpu: this.clientCpuMs / this.wallMs,
      serverCpuUsPerRequest: (this.serverCpuMs * 1000) / (load.ok + load.non2xx),
    };
  }
}

function loadServer(server: Server, durationSeconds: number): Promise<LoadResult> {
  return runLoad({
    url: `http://127.0.0.1:${server.port}/reporter/${SERVICE_ID}/${PUSH_NODE_ID}/`,
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
  const before = await server.cpuMs();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  tally.slices.push(await loadServer(server, durationSeconds));
  tally.wallMs += performance.now() - started;
  const client = process.cpuUsage(clientBefore);
  tally.serverCpuMs += (await server.cpuMs()) - before;
  tally.clientCpuMs += (client.user + client.system) / 1000;
}

/** How many replicas the server holds (only the push node has any), from `/status/report`. */
async function replicasReported(vigil: VigilBinary): Promise<number | undefined> {
  const response = await fetch(`http://127.0.0.1:${vigil.port}/status/report`);
  const report = (await response.json()) as { probes?: Array<{ nodes?: Array<{ replicas?: unknown[] }> }> };
  return report.probes
    ?.flatMap((probe) => probe.nodes ?? [])
    .reduce((total, node) => total + (node.replicas?.length ?? 0), 0);
}

interface Measurement {
  bare: Measured;
  vigil: Measured;
  replicas: number | undefined;
}

/** Both servers up at once (an idle one costs nothing), warmed up, then bare, Vigil, bare, Vigil… */
async function measureBoth(): Promise<Measurement> {
  const sliceSeconds = Math.max(1, Math.round(envNumber('BENCH_SECONDS', 10) / SLICES));
  const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 2);
  const bareScript = new URL('./children/bare-server.ts', import.meta.url);
  return withChild<ServerApi, ServerReady, Measurement>(
    bareScript,
    { args: ['reporter'] },
    async (bareChild) => {
      const vigilBinary = await startVigilBinary(vigilConfig);
      try {
        const bare: Server = {
          port: bareChild.ready.port,
          cpuMs: async () => (await bareChild.call('stats', undefined)).cpuMs,
        };
        const vigil: Server = {
          port: vigilBinary.port,
          cpuMs: async () => processCpuMs(vigilBinary.pid) ?? Number.NaN,
        };
        // Warm-up: JIT, connection setup and, for Vigil, the model filling up with the replicas.
        await loadServer(bare, warmupSeconds);
        await loadServer(vigil, warmupSeconds);
        const tallies = { bare: new Tally(), vigil: new Tally() };
        for (let index = 0; index < SLICES; index++) {
          await slice(bare, tallies.bare, sliceSeconds);
          await slice(vigil, tallies.vigil, sliceSeconds);
        }
        return {
          bare: tallies.bare.result(),
          vigil: tallies.vigil.result(),
          replicas: await replicasReported(vigilBinary),
        };
      } finally {
        await vigilBinary.stop();
      }
    },
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
  title: `Reporter API, real binary: POST /reporter/${SERVICE_ID}/${PUSH_NODE_ID}/, ${CONNECTIONS} connections, ${count(REPLICAS)} replicas`,
  async run() {
    const { bare, vigil, replicas } = await measureBoth();
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
        'Vigil TS is the real binary (`vigil -c`, from source through tsx): SQLite store, history, page and alerting on, log level info; CPU from /proc/<pid>/stat (10 ms ticks).',
        `Replicas on the push node after the run: ${replicas ?? 'unknown'} (expected ${count(REPLICAS)}).`,
        ...problems('Vigil', vigil),
        ...problems('bare', bare),
      ],
    };
  },
};
export default benchmark;
