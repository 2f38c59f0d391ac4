import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type HistoryServer, startHistoryServer, type UptimeItem } from './history-fixture.js';

const percentText = (ratio: number) => `${(Math.floor(ratio * 10_000) / 100).toFixed(2)}%`;

/** The colour an uptime badge takes: green from 99.9 %, orange from 99 %, red below. */
const uptimeColor = (ratio: number) => (ratio >= 0.999 ? '0A7D24' : ratio >= 0.99 ? 'AD5C00' : 'C70000');

describe('uptime badges and the shields.io endpoint, over recorded history', () => {
  let server: HistoryServer;

  before(async () => {
    server = await startHistoryServer({
      configure: (config) => {
        const db = config.probe.service[1]?.node[0];
        if (db) db.label = 'DB <b>"x"</b>';
      },
    });
  });
  after(() => server?.close());

  test("a node's and a service's uptime badge say /api/v1/uptime's figure, as SVG and endpoint JSON", async () => {
    for (const window of ['24h', '7d', '30d', '90d']) {
      const nodes = await server.api<{ items: UptimeItem[] }>(`/api/v1/uptime?window=${window}&service=data`);
      const db = nodes.items.find((item) => item.node === 'db');
      assert.ok(db && db.uptime !== null);
      const json = await server.api(`/badge/endpoint/uptime/data/db?window=${window}`);
      assert.deepEqual(json, {
        schemaVersion: 1,
        label: `DB <b>"x"</b> uptime ${window}`,
        message: percentText(db.uptime),
        color: uptimeColor(db.uptime),
      });
      const svg = await (await fetch(`${server.url}/badge/uptime/data/db?window=${window}`)).text();
      assert.ok(
        svg.includes(
          `<title>DB &lt;b&gt;&quot;x&quot;&lt;/b&gt; uptime ${window}: ${percentText(db.uptime)}</title>`,
        ),
        svg,
      );
      assert.ok(svg.includes(`fill="#${uptimeColor(db.uptime)}"`));
      assert.ok(!svg.includes('<b>'));

      const services = await server.api<{ items: UptimeItem[] }>(
        `/api/v1/uptime?window=${window}&kind=service`,
      );
      const web = services.items.find((item) => item.service === 'web');
      assert.ok(web && web.uptime !== null);
      const serviceJson = await server.api<{ message: string }>(
        `/badge/endpoint/uptime/web?window=${window}`,
      );
      assert.equal(serviceJson.message, percentText(web.uptime));
    }
    // The DB node was dead two hours out of its 8 d 3 h of data: below 99 %, red.
    const db90 = await server.api<{ message: string; color: string }>(
      '/badge/endpoint/uptime/data/db?window=90d',
    );
    assert.equal(db90.color, 'C70000');
  });

  test('the page badge, the default window, and the endpoint for the status', async () => {
    const page = await server.api<{ label: string; message: string }>('/badge/endpoint/uptime');
    assert.equal(page.label, 'uptime 30d');
    assert.match(page.message, /^\d{1,3}\.\d\d%$/);
    const status = await (await fetch(`${server.url}/badge/endpoint/status/web/api`)).json();
    assert.deepEqual(status, { schemaVersion: 1, label: 'API', message: 'healthy', color: '0A7D24' });
    const response = await fetch(`${server.url}/badge/uptime/web/api`);
    assert.equal(response.headers.get('content-type'), 'image/svg+xml');
    assert.equal(response.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const endpoint = await fetch(`${server.url}/badge/endpoint/uptime/web/api`);
    assert.equal(endpoint.headers.get('access-control-allow-origin'), '*');
  });

  test('a window that is no uptime window is 400 with a JSON error; unknown subjects are 404', async () => {
    for (const path of ['/badge/uptime/web/api?window=1y', '/badge/endpoint/uptime?window=']) {
      const response = await fetch(server.url + path);
      assert.equal(response.status, 400, path);
      assert.match(
        ((await response.json()) as { error: string }).error,
        /window must be one of 24h, 7d, 30d, 90d/,
      );
    }
    for (const path of ['/badge/uptime/nope', '/badge/endpoint/uptime/web/nope', '/badge/latency/web/api'])
      assert.equal((await fetch(server.url + path)).status, 404, path);
  });
});
