import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { HistoryReader } from '../../src/history/reader.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { openStore } from '../../src/store/open.js';
import type { Incident } from '../../src/store/types.js';
import { HISTORY_REFRESH_MS, PageHistory } from '../../src/web/page/history.js';
import { PAGE_TEXTS } from '../../src/web/page/texts.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { buildTestApp, startTestServer } from '../helpers/server.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';
import { startFullVigil, waitFor } from '../helpers/vigil.js';
import {
  API,
  type BarRun,
  cellHead,
  DB,
  dayCells,
  dayRange,
  expectedCells,
  HISTORY_PROBES,
  type HistoryServer,
  HOUR,
  type LatencyPointView,
  MINUTE,
  NODES,
  NOW,
  startHistoryServer,
  type UptimeItem,
} from './history-fixture.js';

/** One node row of the page, found by its label. */
function nodeRow(html: string, label: string): string {
  const row = html
    .split('<li class="node ')
    .slice(1)
    // With history, the label links to the node's page.
    .find((chunk) => chunk.includes(`/">${label}</a><span class="sr">`));
  assert.ok(row, `no node row labelled ${label}`);
  // The last node of a service runs on to the end of the page.
  return row.split('</ul></section>')[0] ?? row;
}

/** The elements of a row's bar, as rendered. */
function runsOf(row: string): BarRun[] {
  return [...row.matchAll(/<g class="(day-\w+)" stroke="[^"]+">(.*?)<\/g>/g)].flatMap(
    ([, group = '', inner = '']) =>
      [...inner.matchAll(/<path d="M(\d+) 12h(\d+)"><title>([^<]*)<\/title><\/path>/g)].map(
        ([, x, length, title = '']) => ({ x: Number(x), length: Number(length), group, title }),
      ),
  );
}

/** The bar's cells of a row, one per day, oldest first. */
const cellsOf = (row: string) => dayCells(runsOf(row));

/** The row's uptime figure: the ratio it carries and the text it shows. */
function figureOf(row: string): { value: number; text: string } | undefined {
  const match = /<p class="uptime-figure"><data value="([^"]+)">([^<]+)<\/data>/.exec(row);
  return match ? { value: Number(match[1]), text: match[2] ?? '' } : undefined;
}

const percentText = (ratio: number) => `${(Math.floor(ratio * 10_000) / 100).toFixed(2)}%`;

describe('history on the status page', () => {
  let server: HistoryServer;
  let html: string;

  before(async () => {
    server = await startHistoryServer();
    html = await server.page();
  });
  after(() => server?.close());

  test("each node's bar says, day by day, what /api/v1 says, and its figure is /api/v1/uptime's", async () => {
    const uptime = await server.api<{ items: UptimeItem[] }>('/api/v1/uptime?window=90d&limit=1000');
    assert.deepEqual(
      uptime.items.map((item) => [item.service, item.node]),
      NODES.map(({ service, node }) => [service, node]),
    );
    for (const [index, { service, node, label }] of NODES.entries()) {
      const row = nodeRow(html, label);
      const { points } = await server.api<{ points: LatencyPointView[] }>(
        `/api/v1/latency?service=${service}&node=${node}&${dayRange(NOW)}`,
      );
      const cells = cellsOf(row);
      assert.equal(cells.length, 90, label);
      assert.deepEqual(
        cells.map(({ title }) => cellHead(title)),
        expectedCells(NOW, points),
        label,
      );
      // The colour group is the state the title names.
      for (const { state, title } of cells)
        assert.ok(title.includes(state === 'none' ? 'no data' : `: ${state},`));

      const api = uptime.items[index];
      assert.ok(api?.uptime !== null && api?.uptime !== undefined);
      assert.deepEqual(figureOf(row), { value: api.uptime, text: percentText(api.uptime) }, label);
    }
    // Two dead hours in the 8.125 days with data (3.5 + 4.625): 1 − 7,200 / 702,000.
    assert.equal(figureOf(nodeRow(html, 'DB'))?.text, '98.97%');
  });

  test('a dead or sick day says for how long; days without data, before and between runs, are gaps', () => {
    const db = cellsOf(nodeRow(html, 'DB'));
    const api = cellsOf(nodeRow(html, 'API'));
    const day = (cells: typeof db, date: string) => cells.find(({ title }) => title.startsWith(date));
    assert.deepEqual(day(db, '2026-03-03'), {
      state: 'dead',
      title: '2026-03-03: dead, 91.66% up (dead 2 h)',
    });
    assert.deepEqual(day(api, '2026-03-02'), {
      state: 'sick',
      title: '2026-03-02: sick, 100.00% up (sick 1 h)',
    });
    assert.deepEqual(day(db, '2026-02-28'), { state: 'none', title: '2026-02-28: no data' });
    assert.deepEqual(
      day(db, '2026-03-05'),
      { state: 'none', title: '2026-03-05: no data' },
      'Vigil TS was stopped',
    );
    assert.equal(day(db, '2026-03-04')?.state, 'healthy', 'half a day of data is a day with data');
    assert.equal(db.filter(({ state }) => state === 'none').length, 81);
    // Runs of healthy days and of days without data share an element: six for API's 90 days.
    assert.deepEqual(
      runsOf(nodeRow(html, 'API'))
        .map(({ title }) => title)
        .sort(),
      [
        '2025-12-11 – 2026-02-28 (80 days): no data',
        '2026-03-01: healthy, 100.00% up',
        '2026-03-02: sick, 100.00% up (sick 1 h)',
        '2026-03-03 – 2026-03-04 (2 days): healthy, 100.00% up',
        '2026-03-05: no data',
        '2026-03-06 – 2026-03-10 (5 days): healthy, 100.00% up',
      ],
    );
    // One tab stop per bar, whose label sums it up.
    assert.match(
      nodeRow(html, 'DB'),
      /<svg class="uptime-bar" [^>]*role="img" tabindex="0" id="u-1-0" aria-label="DB, last 90 days: 98.97% up; sick or dead on 1 day: 2026-03-03 dead 2 h; no data on 81 days">/,
    );
  });

  test('poll nodes chart the last 24 h of /api/v1/latency; push nodes have no chart', async () => {
    for (const { service, node, label } of NODES.filter(({ node }) => node !== 'app')) {
      const { points } = await server.api<{ points: LatencyPointView[] }>(
        `/api/v1/latency?service=${service}&node=${node}`,
      );
      const row = nodeRow(html, label);
      const p95 = /<path class="p95" d="([^"]*)"/.exec(row)?.[1] ?? '';
      const measured = points.filter((point) => point.p95_ms !== null);
      assert.equal(points.length, 24, `${label}: ${JSON.stringify(points)}`);
      assert.equal(p95.match(/[ML]/g)?.length, measured.length, label);
      const top = Math.max(...measured.map((point) => point.p95_ms ?? 0));
      assert.match(row, new RegExp(`aria-label="${label} latency, last 24 h: p95 up to ${top} ms"`));
      assert.match(row, new RegExp(`>p95 ≤ ${top} ms, 24 h</span>`));
    }
    assert.doesNotMatch(nodeRow(html, 'App'), /latency-sparkline/);
    assert.match(nodeRow(html, 'App'), /class="uptime-bar"/);
  });

  test('past incidents: newest first, as /api/v1/incidents lists them, replica ids only where revealed', async () => {
    const { items } = await server.api<{
      items: Array<{ node: string; started_at: string; ended_at: string }>;
    }>('/api/v1/incidents?scope=node');
    const section = html.slice(html.indexOf('<section class="incidents"'));
    const listed = [...section.matchAll(/<li class="incident is-(\w+)">(.*?)<\/li>/g)];
    assert.deepEqual(
      listed.map(([, worst, item]) => [worst, item?.match(/<time datetime="([^"]+)"/g)]),
      items.map((item) => [
        item.node === 'db' ? 'dead' : 'sick',
        [`<time datetime="${item.started_at}"`, `<time datetime="${item.ended_at}"`],
      ]),
    );
    assert.deepEqual(
      listed.map(([, , item]) => item?.replace(/<[^>]+>/g, '')),
      [
        'Dead Data › DB3 Mar 2026, 06:00:00 UTC+00:00 – 08:00:00 UTC+00:00 (2 h)1 replica affected',
        'Sick Website › API2 Mar 2026, 10:00:00 UTC+00:00 – 11:00:00 UTC+00:00 (1 h)Replicas: tcp://10.0.0.1:80',
      ],
    );
    assert.doesNotMatch(section, /10\.0\.0\.2/, 'the DB node hides its replica names');
  });

  test("a read draws a node's strip when asked, once; the next read draws it anew", async () => {
    const { store, model, clock } = server;
    const pageHistory = new PageHistory({
      model,
      history: new HistoryReader(store, clock),
      incidents: store.incidents,
      clock,
      texts: () => PAGE_TEXTS.en,
      onError: (error) => assert.fail(String(error)),
    });
    try {
      await pageHistory.refresh();
      const spec = model.node(DB.serviceId, DB.nodeId)?.spec;
      assert.ok(spec);
      const first = pageHistory.current?.nodes.get(spec);
      assert.match(first?.value ?? '', /^<div class="node-history">/);
      assert.equal(pageHistory.current?.nodes.get(spec), first, 'kept for the rest of the read');
      const other = { ...spec, id: 'elsewhere' };
      assert.equal(pageHistory.current?.nodes.get(other), undefined, 'a node the read was not for');
      await pageHistory.refresh();
      const second = pageHistory.current?.nodes.get(spec);
      assert.notEqual(second, first);
      assert.equal(second?.value, first?.value, 'nothing new was stored between the reads');
    } finally {
      await pageHistory.close();
    }
  });

  test('a new read of the history re-renders the page', async () => {
    const { clock, observe, recorder } = server;
    observe.probe(DB, { health: 'dead', latencyMs: 5000, reason: 'timed out' });
    clock.advance(30 * MINUTE);
    observe.probe(DB, { health: 'healthy', latencyMs: 3 });
    observe.probe(API, { health: 'healthy', latencyMs: 20 });
    await recorder.flush();
    clock.advance(HISTORY_REFRESH_MS);
    // 15 healthy hours, then 30 dead minutes: 54,000 / 55,800.
    await waitFor('the new read on the page', async () =>
      (await server.page()).includes('2026-03-10: dead, 96.77% up (dead 30 min)'),
    );
    const uptime = await server.api<{ items: UptimeItem[] }>('/api/v1/uptime?window=90d&service=data');
    const ratio = uptime.items[0]?.uptime ?? Number.NaN;
    assert.deepEqual(figureOf(nodeRow(await server.page(), 'DB')), {
      value: ratio,
      text: percentText(ratio),
    });
  });
});

describe('past incidents on the status page', () => {
  const HOSTILE = '<img src=x onerror=alert(1)>"&';
  const probes = `
[[probe.service]]
id = "svc"
label = ${JSON.stringify(`Service ${HOSTILE}`)}
[[probe.service.node]]
id = "open"
label = ${JSON.stringify(`Open ${HOSTILE}`)}
mode = "push"
reveal_replica_name = true
[[probe.service.node]]
id = "hidden"
label = "Hidden"
mode = "push"
`;

  test('are bounded, newest first, escaped (as the strips are), and name replicas only for nodes that reveal them', async () => {
    const clock = new FakeClock(NOW);
    const store = await openStore({ engine: 'sqlite', path: ':memory:' });
    const incident = (
      id: string,
      nodeId: string,
      startedAtMs: number,
      extra: Partial<Incident> = {},
    ): Incident => ({
      id,
      scope: 'node',
      serviceId: 'svc',
      nodeId,
      startedAtMs,
      endedAtMs: startedAtMs + 5 * MINUTE,
      worst: 'dead',
      replicas: [],
      reasons: [],
      ...extra,
    });
    for (let index = 0; index < 22; index++) {
      await store.incidents.save(
        incident(`old-${index}`, 'open', NOW - (index + 3) * HOUR, {
          replicas: [`svc:open:${HOSTILE}${index}`],
        }),
      );
    }
    await store.incidents.save(
      incident('hidden', 'hidden', NOW - 2 * HOUR, {
        worst: 'sick',
        replicas: ['svc:hidden:10.1.1.1', 'svc:hidden:b'],
      }),
    );
    await store.incidents.save(
      incident('gone', 'removed', NOW - HOUR, { replicas: ['svc:removed:10.9.9.9'] }),
    );
    await store.incidents.save(
      incident('now', 'open', NOW - 10 * MINUTE, {
        endedAtMs: undefined,
        replicas: Array.from({ length: 7 }, (_, index) => `svc:open:http://10.0.0.${index}:80/`),
      }),
    );
    await store.incidents.save({ ...incident('page', '', NOW), scope: 'page', serviceId: '' });
    const config = testConfig(probes);
    const model = new HealthModel(
      buildTopology(config),
      { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
      clock,
    );
    const app = buildTestApp({
      settings: config,
      model,
      clock,
      logger: pino({ level: 'silent' }),
      history: { history: new HistoryReader(store, clock), incidents: store.incidents },
      pageRenderIntervalMs: 0,
    });
    try {
      const html = async () => (await app.inject({ url: '/' })).body;
      await waitFor('the incidents on the page', async () => (await html()).includes('incident-list'));
      const page = await html();
      // The node's label stays text in its history strip too: its bar's label, tooltip and chart.
      assert.doesNotMatch(page, /<img src=x/);
      assert.match(
        page,
        /aria-label="Open &lt;img src=x onerror=alert\(1\)&gt;&quot;&amp;, last 90 days: no data;/,
      );
      const section = page.split('<section class="incidents"')[1] ?? '';
      const items = [...section.matchAll(/<li class="incident is-\w+">(.*?)<\/li>/g)].map(
        ([, item]) => item ?? '',
      );
      assert.equal(items.length, 20, 'the 20 newest');
      assert.match(items[0] ?? '', /<strong>ongoing<\/strong>/);
      assert.match(
        items[0] ?? '',
        /Replicas: <code>http:\/\/10\.0\.0\.0:80\/<\/code>, (<code>[^<]+<\/code>, ){3}<code>http:\/\/10\.0\.0\.4:80\/<\/code> and 2 more/,
      );
      assert.match(
        items[1] ?? '',
        /<strong>Service &lt;img src=x onerror=alert\(1\)&gt;&quot;&amp; › removed<\/strong>/,
      );
      assert.match(items[1] ?? '', /1 replica affected/);
      assert.match(
        items[2] ?? '',
        /<span class="incident-worst">Sick<\/span> <a href="incident\/hidden"><strong>[^<]* › Hidden<\/strong><\/a>/,
      );
      assert.match(items[2] ?? '', /2 replicas affected/);
      assert.match(items[3] ?? '', /<code>&lt;img src=x onerror=alert\(1\)&gt;&quot;&amp;0<\/code>/);
      assert.doesNotMatch(
        section,
        /10\.1\.1\.1|10\.9\.9\.9|<img|"&/,
        'hidden replicas stay hidden; markup stays text',
      );
    } finally {
      await app.close();
      model.stop();
      await store.close();
    }
  });
});

describe('the page without a store', () => {
  test('renders as before: no history strip, no incidents', async () => {
    const server = await startTestServer(HISTORY_PROBES);
    try {
      const html = await (await fetch(`${server.url}/`)).text();
      assert.match(html, /<li class="node is-healthy[ "]/);
      assert.doesNotMatch(html, /node-history|uptime-bar|Past incidents/);
    } finally {
      await server.close();
    }
  });
});

describe('the whole server (main.ts)', () => {
  test('shows the history of its store on the page', async () => {
    const vigil = await startFullVigil(`\n[probe]\n${REPORTED_PROBES}`);
    try {
      await waitFor('the history on the page', async () => {
        const html = await (await fetch(`${vigil.url}/`)).text();
        return html.includes('class="uptime-bar"') && html.includes('No incidents recorded.');
      });
      const html = await (await fetch(`${vigil.url}/`)).text();
      assert.equal(html.match(/class="node-history"/g)?.length, 2);
    } finally {
      await vigil.stop();
    }
  });
});
