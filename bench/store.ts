// The durable store's costs, three figures (issue 3):
// 1. reporter-API throughput with the store on vs off, each server in its own process, measured in
//    alternating slices;
// 2. SQLite size after a simulated 90 days of 1,000 replicas reporting every 30 s, written through
//    the store's own batch writes as the recorder would leave them after retention;
// 3. /api/v1/uptime time for 1,000 nodes over 90 days, over HTTP (cache warm) and as the raw query
//    (cache cold).
// Run alone with `node --import tsx bench/store.ts`, or as the default export from bench/run.ts.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { pino } from 'pino';
import { HistoryReader } from '../packages/server/src/history/reader.js';
import { HealthModel } from '../packages/server/src/model/health-model.js';
import { buildTopology } from '../packages/server/src/model/topology.js';
import { openStore } from '../packages/server/src/store/open.js';
import type { RollupRow, Series, SeriesKey, Store } from '../packages/server/src/store/types.js';
import { systemClock } from '../packages/server/src/time/clock.js';
import { testConfig } from '../packages/server/test/helpers/config.js';
import { buildTestApp } from '../packages/server/test/helpers/server.js';
import { combineLoads, type LoadResult, okPerSecond, runLoad } from './lib/autocannon.js';
import { type Benchmark, type FigureRow, judge } from './lib/benchmark.js';
import { type Child, withChild } from './lib/child.js';
import { envNumber } from './lib/env.js';
import type { ServerApi, ServerReady } from './lib/rpc.js';
import { count, formatTable, megabytes, ms, ratio } from './lib/table.js';
import { loadBenchConfig, PUSH_NODE_ID, pushNodes, SERVICE_ID } from './lib/vigil-config.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DAYS = 90;
const REPLICAS = 1000;
/** A push fleet: ten replicas per node, ten nodes per service. */
const REPLICAS_PER_NODE = 10;
const NODES_PER_SERVICE = 10;
const QUERY_NODES = 1000;
const TARGETS = { storeCost: 0.2, sizeBytes: 200 * 1024 * 1024, uptimeP99Ms: 50 };

// --- 1. throughput, store on vs off -------------------------------------------------------------

type Server = Child<ServerApi, ServerReady>;
const BODIES = Array.from({ length: REPLICAS }, (_, index) =>
  JSON.stringify({ replica: `host-${index + 1}`, interval: 30, load: { cpu: 0.42, ram: 0.61 } }),
);
const TOKEN = loadBenchConfig(pushNodes(1)).config.server.reporter_token;

function load(server: Server, durationSeconds: number): Promise<LoadResult> {
  return runLoad({
    url: `http://127.0.0.1:${server.ready.port}/reporter/${SERVICE_ID}/${PUSH_NODE_ID}/`,
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`,
      'content-type': 'application/json; charset=utf-8',
    },
    connections: 50,
    durationSeconds,
    bodies: BODIES,
  });
}

async function throughput(): Promise<{ off: LoadResult; on: LoadResult }> {
  const slices = 2;
  const sliceSeconds = Math.max(1, Math.round(envNumber('BENCH_SECONDS', 10) / slices));
  const script = new URL('./children/reporter-store.ts', import.meta.url);
  return withChild<ServerApi, ServerReady, { off: LoadResult; on: LoadResult }>(
    script,
    { args: ['off'] },
    (off) =>
      withChild<ServerApi, ServerReady, { off: LoadResult; on: LoadResult }>(
        script,
        { args: ['on'] },
        async (on) => {
          await load(off, envNumber('BENCH_WARMUP_SECONDS', 2));
          await load(on, envNumber('BENCH_WARMUP_SECONDS', 2));
          const results = { off: [] as LoadResult[], on: [] as LoadResult[] };
          for (let index = 0; index < slices; index++) {
            results.off.push(await load(off, sliceSeconds));
            results.on.push(await load(on, sliceSeconds));
          }
          return { off: combineLoads(results.off), on: combineLoads(results.on) };
        },
      ),
  );
}

// --- 2. size after 90 days ----------------------------------------------------------------------

/** Deterministic "random" numbers, so every run writes the same bytes. */
function numbers(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
}

/** A bucket as the recorder writes it: 2 reports a minute, latency in ms, now and then dead time. */
function bucket(
  series: Series,
  bucketMs: number,
  seconds: number,
  next: (below: number) => number,
): RollupRow {
  const dead = next(200) === 0 ? Math.min(seconds, 30 + next(300)) : 0;
  const p50 = 15 + next(40);
  return {
    seriesId: series.id,
    bucketMs,
    healthySeconds: seconds - dead,
    sickSeconds: 0,
    deadSeconds: dead,
    samples: seconds / 30,
    p50Ms: p50,
    p95Ms: p50 * 3 + next(100),
    maxMs: p50 * 8 + next(1000),
  };
}

function fleetKeys(replicas: number, replicasPerNode: number): SeriesKey[] {
  const keys: SeriesKey[] = [{ kind: 'page', serviceId: '', nodeId: '', replicaId: '' }];
  for (let index = 0; index < replicas; index++) {
    const node = Math.floor(index / replicasPerNode);
    const serviceId = `s${Math.floor(node / NODES_PER_SERVICE)}`;
    const nodeId = `n${node}`;
    if (index % replicasPerNode === 0) {
      if (node % NODES_PER_SERVICE === 0)
        keys.push({ kind: 'service', serviceId, nodeId: '', replicaId: '' });
      keys.push({ kind: 'node', serviceId, nodeId, replicaId: '' });
    }
    keys.push({ kind: 'replica', serviceId, nodeId, replicaId: `10.0.${node}.${index % replicasPerNode}` });
  }
  return keys;
}

/**
 * Writes what `days` of history leave after retention (minutes 48 h, hours and days 90 d), a day
 * at a time through `rollups.write`, plus the push replicas' records.
 */
async function simulate(store: Store, keys: SeriesKey[], endMs: number, days: number, minuteHours = 48) {
  const { series } = await store.rollups.ensureSeries(keys);
  const next = numbers(42);
  for (let day = days; day > 0; day--) {
    const dayMs = endMs - day * DAY;
    const minute: RollupRow[] = [];
    const hour: RollupRow[] = [];
    for (const each of series) {
      for (let h = 0; h < 24; h++) {
        const hourMs = dayMs + h * HOUR;
        hour.push(bucket(each, hourMs, 3600, next));
        if (hourMs < endMs - minuteHours * HOUR) continue;
        for (let m = 0; m < 60; m++) minute.push(bucket(each, hourMs + m * MINUTE, 60, next));
      }
    }
    await store.rollups.write({ minute, hour, day: series.map((each) => bucket(each, dayMs, 86_400, next)) });
  }
  await store.replicas.upsert(
    keys
      .filter((key) => key.kind === 'replica')
      .map((key) => ({
        ...key,
        mode: 'push' as const,
        intervalSeconds: 30,
        reportAtMs: endMs,
        load: { cpu: 0.42, ram: 0.61 },
        health: 'healthy' as const,
        sinceMs: endMs - days * DAY,
      })),
  );
  return series;
}

async function size(folder: string) {
  const path = join(folder, 'size.db');
  const store = await openStore({ engine: 'sqlite', path });
  const endMs = Math.floor(Date.now() / DAY) * DAY;
  const started = performance.now();
  const series = await simulate(store, fleetKeys(REPLICAS, REPLICAS_PER_NODE), endMs, DAYS);
  const writeMs = performance.now() - started;
  await store.close(); // checkpoints the WAL into the file
  return { bytes: statSync(path).size, series: series.length, writeMs, tables: tableSizes(path) };
}

/** Bytes and rows of each rollup table, from SQLite's dbstat (whole pages, free space included). */
function tableSizes(path: string): Array<{ table: string; bytes: number; rows: number }> {
  const database = new SqliteDatabase(path, { readonly: true });
  try {
    return ['rollup_minute', 'rollup_hour', 'rollup_day'].map((table) => {
      const { bytes } = database
        .prepare('select sum(pgsize) as bytes from dbstat where name = ?')
        .get(table) as {
        bytes: number;
      };
      const { rows } = database.prepare(`select count(*) as rows from ${table}`).get() as { rows: number };
      return { table, bytes, rows };
    });
  } finally {
    database.close();
  }
}

// --- 3. uptime query for 1,000 nodes over 90 days -------------------------------------------------

function percentile(sorted: readonly number[], quantile: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? 0;
}

async function timed(times: number, task: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let index = 0; index < times; index++) {
    const started = performance.now();
    await task();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function uptimeQuery(folder: string) {
  const store = await openStore({ engine: 'sqlite', path: join(folder, 'query.db') });
  const endMs = Math.floor(Date.now() / DAY) * DAY;
  // One replica per node: 1,000 nodes in 100 services, with their replicas' rows in the same tables.
  const keys = fleetKeys(QUERY_NODES, 1);
  const series = await simulate(store, keys, endMs, DAYS, 0);
  const services = Array.from({ length: QUERY_NODES / NODES_PER_SERVICE }, (_, service) => {
    const nodes = Array.from({ length: NODES_PER_SERVICE }, (_, index) => {
      const node = service * NODES_PER_SERVICE + index;
      return `[[probe.service.node]]\nid = "n${node}"\nlabel = "Node ${node}"\nmode = "push"\n`;
    });
    return `[[probe.service]]\nid = "s${service}"\nlabel = "Service ${service}"\n${nodes.join('')}`;
  });
  const config = testConfig(services.join(''));
  const model = new HealthModel(
    buildTopology(config),
    { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
    systemClock,
  );
  const history = new HistoryReader(store, systemClock);
  const app = buildTestApp({
    settings: config,
    model,
    logger: pino({ level: 'silent' }),
    history: { history, incidents: store.incidents },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1/uptime?window=90d&limit=1000`;
  try {
    const first = await timed(1, () => fetch(url).then((response) => response.json()));
    const body = (await (await fetch(url)).json()) as { items: unknown[] };
    if (body.items.length !== QUERY_NODES)
      throw new Error(`expected ${QUERY_NODES} nodes, got ${body.items.length}`);
    const warm = await timed(envNumber('BENCH_UPTIME_REQUESTS', 200), () =>
      fetch(url).then((response) => response.arrayBuffer()),
    );
    const nodeIds = series.filter((each) => each.kind === 'node').map((each) => each.id);
    const cold = await timed(20, () => store.rollups.totals('day', nodeIds, endMs - DAYS * DAY, endMs));
    return { first: first.p99, warm, cold };
  } finally {
    await app.close();
    await store.close();
  }
}

// --- report -------------------------------------------------------------------------------------

const benchmark: Benchmark = {
  title: 'Store: reporter throughput with the store on vs off, size after 90 days, uptime query time',
  async run() {
    const folder = mkdtempSync(join(tmpdir(), 'vigil-bench-store-'));
    try {
      const { off, on } = await throughput();
      const cost = 1 - okPerSecond(on) / okPerSecond(off);
      const stored = await size(folder);
      const perReplicaDay = stored.bytes / REPLICAS / DAYS;
      // Past 90 days minutes and hours no longer grow: each series only adds one day row a day.
      const dayTable = stored.tables.find((each) => each.table === 'rollup_day');
      const dayRowBytes = dayTable ? dayTable.bytes / dayTable.rows : 0;
      const query = await uptimeQuery(folder);
      const rows: FigureRow[] = [
        {
          figure: 'reporter req/s, store on (off = baseline)',
          vigil: count(okPerSecond(on)),
          baseline: count(okPerSecond(off)),
          ratio: ratio(okPerSecond(on), okPerSecond(off)),
          target: `cost ≤ ${TARGETS.storeCost * 100}%`,
          verdict: judge(cost, TARGETS.storeCost, 'lower'),
        },
        {
          figure: 'reporter p99, store on (off = baseline)',
          vigil: ms(on.p99Ms),
          baseline: ms(off.p99Ms),
          verdict: 'INFO',
        },
        {
          figure: `SQLite size, ${count(REPLICAS)} replicas × ${DAYS} d at 30 s`,
          vigil: megabytes(stored.bytes),
          baseline: '',
          target: `≤ ${megabytes(TARGETS.sizeBytes)}`,
          verdict: judge(stored.bytes, TARGETS.sizeBytes, 'lower'),
        },
        {
          figure: 'bytes per replica per day (90 d)',
          vigil: count(perReplicaDay),
          baseline: '',
          verdict: 'INFO',
        },
        {
          figure: 'bytes per replica per day past 90 d (day rows only)',
          vigil: count(dayRowBytes * (stored.series / REPLICAS)),
          baseline: '',
          verdict: 'INFO',
        },
        {
          figure: `/api/v1/uptime 90d, ${count(QUERY_NODES)} nodes, p99 (p50)`,
          vigil: `${ms(query.warm.p99)} (${ms(query.warm.p50)})`,
          baseline: '',
          target: `p99 ≤ ${TARGETS.uptimeP99Ms} ms`,
          verdict: judge(query.warm.p99, TARGETS.uptimeP99Ms, 'lower'),
        },
        {
          figure: '  first request / raw 90-day query p99 (cache cold)',
          vigil: `${ms(query.first)} / ${ms(query.cold.p99)}`,
          baseline: '',
          verdict: 'INFO',
        },
      ];
      const problems = [off, on].flatMap((result, index) =>
        result.non2xx + result.errors + result.timeouts > 0
          ? [
              `store ${index === 0 ? 'off' : 'on'}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
            ]
          : [],
      );
      return {
        rows,
        notes: [
          `size: ${count(stored.series)} series (${REPLICAS} replicas, ${REPLICAS / REPLICAS_PER_NODE} nodes, services, page); ` +
            'retention kept (minutes 48 h, hours and days 90 d); every bucket with latency (worst case); ' +
            `written in ${ms(stored.writeMs)} through rollups.write`,
          `tables: ${stored.tables
            .map(
              ({ table, bytes, rows }) =>
                `${table} ${megabytes(bytes)}, ${count(rows)} rows, ${(bytes / rows).toFixed(1)} B/row`,
            )
            .join('; ')}`,
          'uptime: 1,000 push nodes with one replica each, 90 days of day rows; closed days are summed once and cached ' +
            '(the recorder warms the cache after each flush), the open day is read per request',
          ...problems,
        ],
      };
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
};

export default benchmark;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await benchmark.run();
  console.log(benchmark.title);
  console.log(formatTable(report.rows));
  for (const note of report.notes) console.log(`- ${note}`);
  process.exit(0);
}
