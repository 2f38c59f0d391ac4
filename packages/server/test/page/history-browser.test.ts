import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  ARTIFACTS,
  assertCleanVisit,
  launchChromium,
  openRecordedPage,
  runAxe,
  waitUntil,
} from './browser-harness.js';
import {
  type BarRun,
  brandImagesUnderPageUrl,
  cellHead,
  DB,
  dayCells,
  dayRange,
  expectedCells,
  type HistoryServer,
  type LatencyPointView,
  NODES,
  NOW,
  startHistoryServer,
  type UptimeItem,
} from './history-fixture.js';

/** What a visitor's browser holds of one node's history, read from the DOM. */
interface BarInDom {
  label: string;
  /** The bar's elements with their computed stroke colour. */
  runs: Array<BarRun & { stroke: string }>;
  value: string;
  text: string;
}

/** Code run in the page is a string: this program has no DOM types. */
function readBar(page: Page, label: string): Promise<BarInDom> {
  return page.evaluate<BarInDom>(`(() => {
    const bar = document.querySelector(${JSON.stringify(`svg.uptime-bar[aria-label^="${label}, last 90 days"]`)});
    const figure = bar.closest('.node-history').querySelector('.uptime-figure data');
    const runs = [...bar.querySelectorAll('path')].map((path) => {
      const [, x, length] = path.getAttribute('d').match(/^M([0-9]+) 12h([0-9]+)$/);
      return {
        x: Number(x),
        length: Number(length),
        group: path.parentElement.getAttribute('class'),
        title: path.querySelector('title').textContent,
        stroke: getComputedStyle(path).stroke,
      };
    });
    return { label: bar.getAttribute('aria-label'), runs, value: figure.value, text: figure.textContent };
  })()`);
}

/** Vigil's colours as the browser computes them, and the grey of days without data. */
const STROKES = {
  'day-healthy': 'rgb(14, 176, 51)',
  'day-sick': 'rgb(241, 128, 0)',
  'day-dead': 'rgb(225, 0, 0)',
  'day-none': 'rgb(200, 205, 210)',
};

describe('history on the status page, in a real browser', () => {
  let browser: Browser;
  let server: HistoryServer;

  before(async () => {
    browser = await launchChromium();
    server = await startHistoryServer({ configure: brandImagesUnderPageUrl });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the bars and figures a visitor sees are what /api/v1 says; nothing leaves loopback', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems, requests } = await openRecordedPage(context, `${server.url}/`);
      const uptime = await server.api<{ items: UptimeItem[] }>('/api/v1/uptime?window=90d&limit=1000');
      for (const [index, { service, node, label }] of NODES.entries()) {
        const bar = await readBar(page, label);
        const { points } = await server.api<{ points: LatencyPointView[] }>(
          `/api/v1/latency?service=${service}&node=${node}&${dayRange(NOW)}`,
        );
        assert.deepEqual(
          dayCells(bar.runs).map(({ title }) => cellHead(title)),
          expectedCells(NOW, points),
          label,
        );
        for (const { group, stroke } of bar.runs)
          assert.equal(stroke, STROKES[group as keyof typeof STROKES], label);
        const api = uptime.items[index];
        assert.equal(Number(bar.value), api?.uptime, label);
        assert.equal(bar.text, `${(Math.floor((api?.uptime ?? 0) * 10_000) / 100).toFixed(2)}%`, label);
        assert.match(bar.label, new RegExp(`^${label}, last 90 days: ${bar.text} up; `));
      }

      // One tab stop per bar: focus shows its summary, Escape hides it.
      const dbBar = page.locator('svg.uptime-bar[aria-label^="DB,"]');
      const tip = page.locator('.history-days', { has: dbBar }).locator('.tip');
      await dbBar.focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      assert.equal(await tip.isVisible(), true);
      assert.equal(await tip.textContent(), await dbBar.getAttribute('aria-label'));
      await page.keyboard.press('Escape');
      assert.equal(await tip.isVisible(), false);
      await page.evaluate('document.activeElement.blur()');

      assert.equal(await page.locator('.incident').count(), 2);
      assert.ok(await page.locator('.incidents', { hasText: 'Past incidents' }).isVisible());
      await page.screenshot({ path: `${ARTIFACTS}page-history.png`, fullPage: true });

      // A live update swaps the page's main part under a visitor on a bar: the focus stays there.
      await dbBar.focus();
      server.observe.probe(DB, { health: 'sick', latencyMs: 900, reason: 'slow' });
      server.clock.advance(0); // the page's render timer, on the fake clock
      await waitUntil(
        page,
        `document.querySelector('#banner-title')?.textContent === 'Minor service slowdown ongoing'`,
        2000,
      );
      assert.equal(await page.evaluate('document.activeElement?.id'), 'u-1-0');

      assertCleanVisit({ problems, requests }, server.url);
    } finally {
      await context.close();
    }

    // On a 360 px phone the bar shrinks with the row instead of pushing the page sideways.
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
    try {
      const { page, problems } = await openRecordedPage(phone, `${server.url}/`);
      assert.ok(await page.evaluate('document.documentElement.scrollWidth <= 360'));
      await page.screenshot({ path: `${ARTIFACTS}page-history-mobile-360.png`, fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await phone.close();
    }

    // Colours and contrast of the history hold in both schemes.
    for (const colorScheme of ['light', 'dark'] as const) {
      // Our CSP (rightly) refuses the injected inline axe script; this context lets it in.
      const scheme = await browser.newContext({
        bypassCSP: true,
        colorScheme,
        viewport: { width: 1280, height: 900 },
      });
      try {
        const { page } = await openRecordedPage(scheme, `${server.url}/`);
        if (colorScheme === 'dark')
          await page.screenshot({ path: `${ARTIFACTS}page-history-dark.png`, fullPage: true });
        assert.deepEqual(await runAxe(page), [], colorScheme);
      } finally {
        await scheme.close();
      }
    }
  });
});
