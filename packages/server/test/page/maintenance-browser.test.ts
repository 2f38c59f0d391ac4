import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { parseConfigText } from '../../src/config/load.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { apiClient } from '../helpers/api-contract.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { basicAuth } from '../helpers/server.js';
import { postReport, waitFor } from '../helpers/vigil.js';
import { ARTIFACTS, launchChromium, openRecordedPage, runAxe, waitUntil } from './browser-harness.js';

const PROBES = `
[[probe.service]]
id = "web"
label = "Website"
[[probe.service.node]]
id = "app"
label = "Application"
mode = "push"
[[probe.service.node]]
id = "edge"
label = "Edge"
mode = "push"
`;

/**
 * A real window on a real clock, so its bounds are generous: the page must see it coming, the node
 * must die well inside it, and the checks before its end must run before it ends on a busy machine.
 */
const STARTS_IN_MS = 4000;
const LENGTH_MS = 20_000;
/** Live updates reach an open page within 2 s (browser.test.ts); this allows for a loaded machine. */
const SHOWN_WITHIN_MS = 8000;

/** Node state on the page, read in the page: its label text and whether it is marked. */
const nodeState = (index: number) =>
  `(() => { const node = document.querySelectorAll('.node')[${index}]; return node && { text: node.querySelector('.node-label').textContent, maintenance: node.classList.contains('under-maintenance'), dead: node.classList.contains('is-dead') }; })()`;

/** The whole server (main.ts), its brand images on its own asset route so the page loads them all. */
function startVigilServing(tables: string) {
  const base = BASE_CONFIG.replaceAll(
    /https:\/\/status\.example\.com\/(logo\.svg|icon\.png)/g,
    'https://status.example.com/assets/logo.svg',
  );
  const loaded = parseConfigText(`${base}${tables}\n[storage]\npath = ":memory:"\n`, 'test.cfg', { env: {} });
  return startVigil({ loaded, logger: pino({ level: 'silent' }), listen: { host: '127.0.0.1', port: 0 } });
}

describe('maintenance windows in a real browser', () => {
  let browser: Browser;
  let capture: CaptureServer;
  let vigil: RunningVigil;

  before(async () => {
    browser = await launchChromium();
    capture = await startCaptureServer();
    // No grace: a push replica dies as soon as its interval passes without a report.
    vigil = await startVigilServing(
      `push_delay_dead = 0\n[notify]\nstartup_notification = false\n[notify.webhook]\nhook_url = "${capture.url}/hook"\n[probe]\n${PROBES}`,
    );
    for (const node of ['app', 'edge']) {
      assert.equal(
        await postReport(vigil, `web/${node}`, {
          replica: 'host-1',
          interval: 600,
          load: { cpu: 0.1, ram: 0.1 },
        }),
        200,
      );
    }
  });

  after(async () => {
    await browser?.close();
    await vigil?.stop();
    await capture?.close();
  });

  async function axeInBothSchemes(what: string, path = '/') {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      try {
        const { page } = await openRecordedPage(context, `${vigil.url}${path}`);
        assert.deepEqual(await runAxe(page), [], `${what}, ${colorScheme}`);
      } finally {
        await context.close();
      }
    }
  }

  test('window announced → starts, node shows maintenance → dies inside it without an alert → ends → alert', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems } = await openRecordedPage(context, `${vigil.url}/`);
      assert.equal(await page.locator('.maintenance').count(), 0, 'no section without windows');

      const startsAtMs = Date.now() + STARTS_IN_MS;
      const endsAtMs = startsAtMs + LENGTH_MS;
      const created = await fetch(`${vigil.url}/manager/maintenance/`, {
        method: 'POST',
        headers: { Authorization: basicAuth('manager-secret'), 'Content-Type': 'application/json' },
        body: JSON.stringify({
          title: 'Database <b>move</b>',
          text: 'First line\n<script>alert(1)</script>',
          starts_at: new Date(startsAtMs).toISOString(),
          ends_at: new Date(endsAtMs).toISOString(),
          nodes: ['web:app'],
        }),
      });
      assert.equal(created.status, 200, await created.text());

      // Upcoming: shown ahead of time, escaped, on the open page without a reload.
      await waitUntil(page, `!!document.querySelector('.maintenance-window.is-upcoming')`, SHOWN_WITHIN_MS);
      const upcoming = page.locator('.maintenance-window');
      assert.equal(await upcoming.locator('h3').textContent(), 'Database <b>move</b>');
      assert.equal(await upcoming.locator('.maintenance-badge').textContent(), 'Scheduled');
      assert.equal(await upcoming.locator('script').count(), 0, 'the text is escaped');
      assert.equal(
        await upcoming.locator('p').nth(1).innerHTML(),
        'First line<br>&lt;script&gt;alert(1)&lt;/script&gt;',
        'line breaks kept',
      );
      assert.equal(
        await upcoming.locator('.maintenance-affects').textContent(),
        'Affects: Website / Application',
      );
      assert.equal((await page.evaluate<{ maintenance: boolean }>(nodeState(0))).maintenance, false);
      await axeInBothSchemes('upcoming window');

      // Starts: the node is marked, the other is not, and /api/v1 says so too.
      await waitUntil(page, `${nodeState(0)}.maintenance`, STARTS_IN_MS + SHOWN_WITHIN_MS);
      assert.equal(await page.locator('.maintenance-window .maintenance-badge').textContent(), 'In progress');
      assert.match((await page.evaluate<{ text: string }>(nodeState(0))).text, /Under maintenance/);
      assert.equal((await page.evaluate<{ maintenance: boolean }>(nodeState(1))).maintenance, false);
      const status = (await apiClient(vigil.url).request('/api/v1/status')).json<{
        services: Array<{ nodes: Array<{ id: string; under_maintenance: boolean }> }>;
      }>();
      assert.deepEqual(
        status.services[0]?.nodes.map((node) => [node.id, node.under_maintenance]),
        [
          ['app', true],
          ['edge', false],
        ],
      );
      await page.screenshot({ path: `${ARTIFACTS}maintenance-active.png`, fullPage: true });
      await axeInBothSchemes('window in progress');
      const nodePage = await context.newPage();
      await nodePage.goto(`${vigil.url}/node/web/app/`);
      assert.equal(await nodePage.locator('.node-now .maintenance-tag').textContent(), 'Under maintenance');
      await nodePage.close();
      await axeInBothSchemes('node page in a window', '/node/web/app/');

      // The target fails inside the window: the page shows it dead, and no alert goes out.
      assert.equal(
        await postReport(vigil, 'web/app', { replica: 'host-1', interval: 1, load: { cpu: 0.1, ram: 0.1 } }),
        200,
      );
      await waitUntil(page, `${nodeState(0)}.dead`, SHOWN_WITHIN_MS);
      assert.ok(
        Date.now() < endsAtMs - 1000,
        'the node died well inside the window (raise LENGTH_MS on a slow machine)',
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(capture.requests.length, 0, 'no alert while the node is under maintenance');

      // Ends with the node still dead: the alert goes out then, and the page drops the mark.
      await waitFor(
        'the alert after the window',
        () => capture.requests.length > 0,
        endsAtMs - Date.now() + SHOWN_WITHIN_MS,
      );
      assert.ok(Date.now() >= endsAtMs, 'not before the window ended');
      const alert = JSON.parse(capture.requests[0]?.body ?? '{}') as { status?: string };
      assert.equal(alert.status, 'dead');
      await waitUntil(
        page,
        `!${nodeState(0)}.maintenance && !document.querySelector('.maintenance')`,
        SHOWN_WITHIN_MS,
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
