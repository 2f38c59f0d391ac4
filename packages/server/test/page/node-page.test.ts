import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DAY,
  type HistoryServer,
  HOUR,
  NOW,
  startHistoryServer,
  type UptimeItem,
} from './history-fixture.js';

/** `/api/v1/latency` points, with the latencies the charts show. */
interface Point {
  t: string;
  p50_ms: number | null;
  p95_ms: number | null;
  healthy_seconds: number;
  sick_seconds: number;
  dead_seconds: number;
}

/** A chart's hover targets: the bucket each stands for and the value it shows. */
function targetsOf(html: string, chart: 'uptime-chart' | 'latency-chart') {
  const svg = new RegExp(`<svg class="detail-chart ${chart}"[\\s\\S]*?</svg>`).exec(html)?.[0];
  assert.ok(svg, `no ${chart}`);
  return [
    ...svg.matchAll(/<rect [^>]*data-t="([^"]+)" data-value="([^"]*)"><title>([^<]*)<\/title><\/rect>/g),
  ].map(([, t = '', value = '', title = '']) => ({ tMs: Date.parse(t), value, title }));
}

const PERIODS = [
  { period: '24h', buckets: 24, size: HOUR, resolution: 'hour' },
  { period: '7d', buckets: 168, size: HOUR, resolution: 'hour' },
  { period: '90d', buckets: 90, size: DAY, resolution: 'day' },
] as const;

function expectedUptime(point: Point | undefined): string {
  const observed = (point?.healthy_seconds ?? 0) + (point?.sick_seconds ?? 0) + (point?.dead_seconds ?? 0);
  if (!point || observed === 0) return 'No data';
  const percent = Math.floor(((observed - point.dead_seconds) / observed) * 10_000) / 100;
  return `${percent.toFixed(2)}% up`;
}

function expectedLatency(point: Point | undefined): string {
  if (!point || (point.p50_ms === null && point.p95_ms === null)) return 'No data';
  const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value)} ms`);
  return `p50 ${ms(point.p50_ms)}, p95 ${ms(point.p95_ms)}`;
}

describe('the node detail page', () => {
  let server: HistoryServer;

  before(async () => {
    server = await startHistoryServer({
      configure: (config) => {
        const db = config.probe.service[1]?.node[0];
        if (db) db.label = 'DB <img src=x onerror=alert(1)> "quoted"';
      },
    });
  });
  after(() => server?.close());

  test('its charts show, bucket by bucket, what /api/v1/latency says, for each period', async () => {
    for (const { period, buckets, size, resolution } of PERIODS) {
      const response = await fetch(`${server.url}/node/web/api/?period=${period}`);
      assert.equal(response.status, 200, period);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const html = await response.text();
      const lastStart = Math.floor(NOW / size) * size;
      const from = new Date(lastStart - (buckets - 1) * size).toISOString();
      const { points } = await server.api<{ points: Point[] }>(
        `/api/v1/latency?service=web&node=api&resolution=${resolution}&from=${from}&to=${new Date(NOW).toISOString()}`,
      );
      const byStart = new Map(points.map((point) => [Date.parse(point.t), point]));
      const uptime = targetsOf(html, 'uptime-chart');
      const latency = targetsOf(html, 'latency-chart');
      assert.equal(uptime.length, buckets, period);
      assert.deepEqual(
        uptime.map(({ tMs }) => tMs),
        Array.from({ length: buckets }, (_, index) => lastStart - (buckets - 1 - index) * size),
        period,
      );
      assert.deepEqual(
        uptime.map(({ value }) => value),
        uptime.map(({ tMs }) => expectedUptime(byStart.get(tMs))),
        period,
      );
      assert.deepEqual(
        latency.map(({ value }) => value),
        uptime.map(({ tMs }) => expectedLatency(byStart.get(tMs))),
        period,
      );
      // Some buckets have latencies: the chart is not all "No data".
      assert.ok(
        latency.some(({ value }) => value.startsWith('p50 ')),
        period,
      );
      // Without JavaScript, each bucket's title says when (in UTC) and what.
      for (const target of uptime) assert.ok(target.title.endsWith(`: ${target.value}`), target.title);
      assert.match(
        uptime.at(-2)?.title ?? '',
        resolution === 'day' ? /^Mar 9, 2026: / : /^Mar 10, 2026, 14:00 UTC: /,
      );
      // The period links: plain links, the current one marked.
      assert.match(html, new RegExp(`<a href="\\?period=${period}" aria-current="page">`));
    }
  });

  test("the uptime figure is /api/v1/uptime's and says how much data it covers", async () => {
    for (const { period } of PERIODS) {
      const html = await (await fetch(`${server.url}/node/data/db/?period=${period}`)).text();
      const { items } = await server.api<{
        items: Array<UptimeItem & { healthy_seconds: number; sick_seconds: number }>;
      }>(`/api/v1/uptime?window=${period}&service=data`);
      const api = items.find((item) => item.node === 'db');
      assert.ok(api && api.uptime !== null);
      const match =
        /<p class="uptime-figure"><data value="([^"]+)">([^<]+)<\/data> up over ([^<]+) of data<\/p>/.exec(
          html,
        );
      assert.ok(match, period);
      assert.equal(Number(match[1]), api.uptime, period);
      assert.equal(match[2], `${(Math.floor(api.uptime * 10_000) / 100).toFixed(2)}%`);
      const observedSeconds = api.healthy_seconds + api.sick_seconds + api.dead_seconds;
      // Run 1 from 1 March to noon on 4 March (3 d 12 h; 20 h of it after the 7 d window opens at
      // 16:00 on 3 March), run 2 from 6 March to NOW, 15:00 on 10 March (4 d 15 h).
      const expected = { '24h': '23 h', '7d': '5 d 11 h', '90d': '8 d 3 h' }[period];
      assert.equal(match[3], expected, `${period}: ${observedSeconds} s observed`);
    }
  });

  test('the main page links each node to its page; assets resolve with or without the trailing slash', async () => {
    const main = await server.page();
    assert.match(main, /<a class="node-details" href="node\/web\/api\/">API<\/a>/);
    // Its 90-day figures stand on 8 d 3 h of data, and say so.
    assert.equal(main.match(/<span class="muted">uptime, 90 days, over 8 d 3 h of data<\/span>/g)?.length, 3);
    for (const path of ['/node/web/api/', '/node/web/api']) {
      const pageUrl = `${server.url}${path}`;
      const html = await (await fetch(pageUrl)).text();
      const urls = [...html.matchAll(/<(?:link rel="stylesheet"|script) (?:href|src)="([^"]+)"/g)].map(
        ([, url = '']) => new URL(url.replaceAll('&amp;', '&'), pageUrl),
      );
      assert.equal(urls.length, 3, path);
      for (const url of urls) assert.equal((await fetch(url)).status, 200, `${path}: ${url.pathname}`);
      const back = /<p class="back"><a href="([^"]+)">/.exec(html)?.[1] ?? '';
      assert.equal(new URL(back, pageUrl).pathname, '/', path);
    }
  });

  test('labels are escaped; the page keeps the strict CSP', async () => {
    const response = await fetch(`${server.url}/node/data/db/`);
    const html = await response.text();
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('DB &lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;'));
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(html.match(/<script>/g)?.length, 1, "only Vigil's hashed status global is inline");
  });

  test('an unknown node is 404 and an unknown period 400, both JSON', async () => {
    for (const [path, status] of [
      ['/node/web/nope/', 404],
      ['/node/nope/api/', 404],
      ['/node/web/api/?period=1y', 400],
      ['/node/web/api/?period=', 400],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, status, path);
      assert.ok(typeof ((await response.json()) as { error?: unknown }).error === 'string', path);
    }
  });
});
