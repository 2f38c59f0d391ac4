import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { RawConfig } from '../../src/config/schema.js';
import { HistoryReader } from '../../src/history/reader.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { openStore } from '../../src/store/open.js';
import { Recorder } from '../../src/store/recorder.js';
import { retentionFrom } from '../../src/store/retention.js';
import { apiClient } from '../helpers/api-contract.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type Sources, sourcesFor } from '../helpers/model.js';
import { buildTestApp } from '../helpers/server.js';
import { waitFor } from '../helpers/vigil.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const STEP = 30 * MINUTE;

/**
 * The simulated history. Run 1 from 1 March to noon on 4 March, then Vigil TS is stopped until
 * 6 March (5 March has no data at all); run 2 up to NOW. The API node is sick 10:00–11:00 on
 * 2 March, the DB node dead 06:00–08:00 on 3 March; the push node stays healthy.
 */
export const START = Date.UTC(2026, 2, 1);
const STOPPED = Date.UTC(2026, 2, 4, 12);
const RESTARTED = Date.UTC(2026, 2, 6);
export const NOW = Date.UTC(2026, 2, 10, 15);
const SICK = { fromMs: Date.UTC(2026, 2, 2, 10), toMs: Date.UTC(2026, 2, 2, 11) };
const DEAD = { fromMs: Date.UTC(2026, 2, 3, 6), toMs: Date.UTC(2026, 2, 3, 8) };

export const HISTORY_PROBES = `
[[probe.service]]
id = "web"
label = "Website"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["tcp://10.0.0.1:80"]
reveal_replica_name = true
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
[[probe.service]]
id = "data"
label = "Data"
[[probe.service.node]]
id = "db"
label = "DB"
mode = "poll"
replicas = ["tcp://10.0.0.2:5432"]
`;
export const API = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://10.0.0.1:80' };
export const DB = { serviceId: 'data', nodeId: 'db', replicaId: 'tcp://10.0.0.2:5432' };
/** The nodes in page order, with their labels. */
export const NODES = [
  { service: 'web', node: 'api', label: 'API' },
  { service: 'web', node: 'app', label: 'App' },
  { service: 'data', node: 'db', label: 'DB' },
] as const;

const within = (atMs: number, window: { fromMs: number; toMs: number }) =>
  atMs >= window.fromMs && atMs < window.toMs;

/** Brand images under page_url render relative, so a page loads them from our own asset route. */
export function brandImagesUnderPageUrl(config: RawConfig): void {
  config.branding.logo_url = 'https://status.example.com/assets/logo.svg';
  config.branding.icon_url = 'https://status.example.com/assets/logo.svg';
}

export type HistoryServer = Awaited<ReturnType<typeof startHistoryServer>>;

/**
 * The real app over an in-memory SQLite store whose history was recorded from the model's events,
 * as `vigil` records it, over the simulated days; the clock then stands still at NOW.
 */
export async function startHistoryServer(options: { configure?: (config: RawConfig) => void } = {}) {
  const config = testConfig(HISTORY_PROBES);
  options.configure?.(config);
  const clock = new FakeClock(START);
  const store = await openStore({ engine: 'sqlite', path: ':memory:' });
  const model = new HealthModel(
    buildTopology(config),
    { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
    clock,
  );
  const observe = sourcesFor(model, clock);
  const startRecorder = () =>
    Recorder.start({
      store,
      model,
      clock,
      logger: pino({ level: 'silent' }),
      flushIntervalMs: 10 * MINUTE,
      retention: retentionFrom(config.storage),
    });

  let recorder = await startRecorder();
  await simulate(observe, clock, recorder, STOPPED);
  await recorder.stop();
  clock.advance(RESTARTED - STOPPED);
  recorder = await startRecorder();
  await simulate(observe, clock, recorder, NOW);

  const history = new HistoryReader(store, clock, recorder.runId);
  const app = buildTestApp({
    settings: config,
    model,
    clock,
    logger: pino({ level: 'silent' }),
    history: { history, incidents: store.incidents },
    pageRenderIntervalMs: 0,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const client = apiClient(url);
  const server = {
    url,
    clock,
    model,
    observe,
    store,
    recorder,
    async page(): Promise<string> {
      return (await fetch(`${url}/`)).text();
    },
    /** Checked against the OpenAPI document. */
    async api<T>(path: string): Promise<T> {
      return (await client.request(path)).json<T>();
    },
    async close() {
      await app.close();
      await recorder.stop();
      model.stop();
      await store.close();
    },
  };
  // The page reads its history in the background once started.
  await waitFor('the history on the page', async () => (await server.page()).includes('node-history'));
  return server;
}

/** Probes both poll nodes and reports the push node every 30 minutes until `untilMs`. */
async function simulate(observe: Sources, clock: FakeClock, recorder: Recorder, untilMs: number) {
  for (let step = 1; clock.now() < untilMs; step++) {
    const at = clock.now();
    observe.probe(
      API,
      within(at, SICK)
        ? { health: 'sick', latencyMs: 900, reason: 'slow' }
        : { health: 'healthy', latencyMs: 20 + (step % 5) * 4 },
    );
    observe.probe(
      DB,
      within(at, DEAD)
        ? { health: 'dead', latencyMs: 5000, reason: 'timed out' }
        : { health: 'healthy', latencyMs: 3 },
    );
    // An interval longer than the stop, so the push node is not dead when run 2 starts.
    observe.push('web', 'app', 'host-1', 3 * 86_400, { cpu: 0.1, ram: 0.2 });
    clock.advance(STEP);
    if (step % 6 === 0) await recorder.flush();
  }
  await recorder.flush();
}

/** `/api/v1/uptime` items. */
export interface UptimeItem {
  service: string;
  node: string;
  uptime: number | null;
  coverage: number;
  dead_seconds: number;
}

/** `/api/v1/latency` points. */
export interface LatencyPointView {
  t: string;
  p95_ms: number | null;
  healthy_seconds: number;
  sick_seconds: number;
  dead_seconds: number;
}

/** The bar's 90 days ending today, as `/api/v1/latency` answers them at day resolution. */
export function dayRange(nowMs: number): string {
  const from = Math.floor(nowMs / DAY) * DAY - 89 * DAY;
  return `resolution=day&from=${new Date(from).toISOString()}&to=${new Date(nowMs).toISOString()}`;
}

/**
 * What a day's cell should say, from the API's seconds per state: the date, the worst state and
 * the uptime rounded down to 0.01% (so a day with any dead time never reads 100%).
 */
export function expectedCell(dayMs: number, point: LatencyPointView | undefined): string {
  const date = new Date(dayMs).toISOString().slice(0, 10);
  const healthy = point?.healthy_seconds ?? 0;
  const sick = point?.sick_seconds ?? 0;
  const dead = point?.dead_seconds ?? 0;
  const observed = healthy + sick + dead;
  if (observed === 0) return `${date}: no data`;
  const state = dead > 0 ? 'dead' : sick > 0 ? 'sick' : 'healthy';
  const percent = (Math.floor(((observed - dead) / observed) * 10_000) / 100).toFixed(2);
  return `${date}: ${state}, ${percent}% up`;
}

/** The 90 expected cells of one node, oldest first. */
export function expectedCells(nowMs: number, points: readonly LatencyPointView[]): string[] {
  const first = Math.floor(nowMs / DAY) * DAY - 89 * DAY;
  const byDay = new Map(points.map((point) => [Date.parse(point.t), point]));
  return Array.from({ length: 90 }, (_, index) =>
    expectedCell(first + index * DAY, byDay.get(first + index * DAY)),
  );
}

/** A cell's title without the sick and dead durations in brackets, to compare with `expectedCell`. */
export const cellHead = (title: string) => title.replace(/ \((sick|dead) .*\)$/, '');

/** One element of a bar: where its stroke starts, its length, its state group and its tooltip. */
export interface BarRun {
  x: number;
  length: number;
  group: string;
  title: string;
}

/**
 * The bar as one cell per day, oldest first, from its elements (a run of days shares one): checks
 * that each element covers exactly the cells of the dates its tooltip names, and that together they
 * tile the bar.
 */
export function dayCells(runs: readonly BarRun[]): Array<{ state: string; title: string }> {
  const cells: Array<{ state: string; title: string }> = [];
  for (const run of [...runs].sort((a, b) => a.x - b.x)) {
    const match = /^(\d{4}-\d{2}-\d{2})(?: – (\d{4}-\d{2}-\d{2}) \((\d+) days\))?: (.*)$/.exec(run.title);
    assert.ok(match, `unexpected tooltip ${run.title}`);
    const [, first = '', last, count = '1', words] = match;
    assert.equal(run.x, cells.length * 4, `${run.title}: starts at its first cell`);
    assert.equal(run.length, Number(count) * 4 - 1, `${run.title}: as long as its days`);
    for (let index = 0; index < Number(count); index++) {
      const date = new Date(Date.parse(first) + index * DAY).toISOString().slice(0, 10);
      cells.push({ state: run.group.replace(/^day-/, ''), title: `${date}: ${words}` });
    }
    if (last !== undefined)
      assert.ok(cells.at(-1)?.title.startsWith(last), `${run.title}: ends on its last date`);
  }
  return cells;
}
