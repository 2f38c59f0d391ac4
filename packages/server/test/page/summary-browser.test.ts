import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Health } from '../../src/model/health.js';
import { PAGE_NODES_LISTED_MAX } from '../../src/web/page/fragments.js';
import { SERVICE_PAGE_NODES } from '../../src/web/page/service-page.js';
import { startTestServer } from '../helpers/server.js';
import { assertCleanVisit, launchChromium, openRecordedPage, runAxe, waitUntil } from './browser-harness.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** One service of more nodes than a page lists (one replica each), and a small one. */
const NODES = PAGE_NODES_LISTED_MAX + 20;
const PROBES = `[[probe.service]]
id = "fleet"
label = "Fleet <b>"
${Array.from(
  { length: NODES },
  (_, index) =>
    `[[probe.service.node]]\nid = "n${index}"\nlabel = "Node ${index}"\nmode = "poll"\nreplicas = ["tcp://127.0.0.1:${1000 + index}"]\n`,
).join('')}
[[probe.service]]
id = "jobs"
label = "Jobs"
[[probe.service.node]]
id = "runner"
label = "Runner"
mode = "poll"
replicas = ["tcp://127.0.0.1:9"]
`;

describe('a page too large to list every node, in Chromium', () => {
  let server: Server;
  let browser: Browser;

  const probe = (index: number, health: Health) =>
    server.observe.probe(
      { serviceId: 'fleet', nodeId: `n${index}`, replicaId: `tcp://127.0.0.1:${1000 + index}` },
      { health, latencyMs: 12, ...(health !== 'healthy' && { reason: 'refused' }) },
    );

  before(async () => {
    browser = await launchChromium();
    server = await startTestServer(PROBES, {
      pageRenderIntervalMs: 50,
      // Served by Vigil itself: the test config's own logo is not.
      configure: (config) => {
        config.branding.logo_url = 'https://status.example.com/assets/logo.svg';
        config.branding.icon_url = 'https://status.example.com/assets/logo.svg';
      },
    });
    probe(7, 'sick');
    probe(300, 'dead');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a service shows its counts, its unhealthy nodes and the way to all of them; axe finds nothing serious', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      try {
        const visit = await openRecordedPage(context, `${server.url}/`);
        const { page } = visit;
        const fleet = page.locator('section.service').first();
        assert.equal(
          (await fleet.locator('.node-summary').textContent())?.trim(),
          `${NODES} nodes: ${NODES - 2} healthy, 1 sick, 1 dead All nodes`,
        );
        assert.deepEqual(await fleet.locator('.node-label').allInnerTexts(), [
          'Node 7\n: sick',
          'Node 300\n: dead',
        ]);
        assert.equal(await fleet.locator('h2').textContent(), 'Fleet <b>: dead', 'labels stay text');
        assert.deepEqual(await runAxe(page), [], colorScheme);
        assertCleanVisit(visit, server.url);
      } finally {
        await context.close();
      }
    }
  });

  test('a node falling sick appears in the list without a reload', async () => {
    const context = await browser.newContext();
    try {
      const { page } = await openRecordedPage(context, `${server.url}/`);
      probe(42, 'dead');
      await waitUntil(
        page,
        "[...document.querySelector('section.service').querySelectorAll('.node-label')].some((label) => label.textContent.startsWith('Node 42'))",
        5000,
      );
      probe(42, 'healthy');
    } finally {
      await context.close();
    }
  });

  test("the service's page lists every node in pages, with working links back and on", async () => {
    const context = await browser.newContext({ bypassCSP: true });
    try {
      const visit = await openRecordedPage(context, `${server.url}/`);
      const { page } = visit;
      await page.getByRole('link', { name: 'All nodes' }).first().click();
      await page.waitForURL(`${server.url}/service/fleet/`);
      assert.equal(await page.locator('li.node').count(), SERVICE_PAGE_NODES);
      assert.equal(await page.locator('nav.node-pages p').textContent(), `Nodes 1–200 of ${NODES}`);
      assert.deepEqual(await runAxe(page), []);
      await page.getByRole('link', { name: 'Next nodes' }).click();
      await page.waitForURL(`${server.url}/service/fleet/?page=2`);
      assert.equal(await page.locator('li.node .node-label').first().textContent(), 'Node 200: healthy');
      await page.getByRole('link', { name: 'All services' }).click();
      await page.waitForURL(`${server.url}/`);
      assertCleanVisit(visit, server.url);
    } finally {
      await context.close();
    }
  });
});

describe('the service page over HTTP', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer(PROBES);
  });
  after(async () => server?.close());

  test('answers with or without its trailing slash, relative to the status page', async () => {
    for (const [path, root] of [
      ['/service/jobs/', '../../'],
      ['/service/jobs', '../'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const body = await response.text();
      assert.ok(body.includes(`<a href="${root}">← All services</a>`), path);
      assert.ok(body.includes('aria-label="Runner replicas"'));
      assert.ok(!body.includes('node-pages'), 'one page: no page navigation');
    }
  });

  test('refuses an unknown service (404) and a page out of range (400)', async () => {
    assert.equal((await fetch(`${server.url}/service/nope/`)).status, 404);
    for (const page of ['0', '4', '1.5', 'x', '']) {
      const response = await fetch(`${server.url}/service/fleet/?page=${page}`);
      assert.equal(response.status, 400, page);
      assert.deepEqual(await response.json(), { error: 'page must be a whole number from 1 to 3' });
    }
    assert.equal((await fetch(`${server.url}/service/fleet/?page=3`)).status, 200);
  });
});
