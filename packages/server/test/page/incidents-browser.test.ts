import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { parseConfigText } from '../../src/config/load.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { basicAuth } from '../helpers/server.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';
import { waitFor } from '../helpers/vigil.js';
import { ARTIFACTS, launchChromium, openRecordedPage, runAxe } from './browser-harness.js';

const MANAGER = basicAuth('manager-secret');
const HOSTILE = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
const TITLE = `Checkout errors ${HOSTILE}`;
/** Three updates: the one that declares the incident, then two more. */
const UPDATES = [
  ['investigating', `Some payments fail.\nWe are looking into it. ${HOSTILE}`],
  ['identified', 'A bad deploy; rolling back.'],
  ['monitoring', 'Rolled back; watching the error rate.'],
] as const;

interface IncidentView {
  id: string;
  updates: Array<{ at: string; status: string; message: string }>;
}

/** What a visitor's browser holds of an incident's article, read from the DOM. */
interface StoryInDom {
  title: string;
  state: string;
  affects: string;
  entries: Array<{ label: string; datetime: string; message: string }>;
}

function readStory(page: Page, selector: string): Promise<StoryInDom> {
  return page.evaluate<StoryInDom>(`(() => {
    const article = document.querySelector(${JSON.stringify(selector)});
    return {
      title: article.querySelector('.incident-story-title').textContent,
      state: article.querySelector('.incident-state').textContent,
      affects: article.querySelector('.incident-affects').textContent,
      entries: [...article.querySelectorAll('.timeline-entry')].map((entry) => ({
        label: entry.querySelector('.timeline-head strong').textContent,
        datetime: entry.querySelector('time').getAttribute('datetime'),
        message: entry.querySelector('.timeline-message').innerText,
      })),
    };
  })()`);
}

/**
 * The whole server with its logo and icon under page_url, so every page loads them from our own
 * asset route, each from its own folder.
 */
function startVigilWithOwnLogo(): Promise<RunningVigil> {
  const logo = 'https://status.example.com/assets/logo.svg';
  const base = BASE_CONFIG.replace(/(logo_url|icon_url) = "[^"]*"/g, `$1 = "${logo}"`);
  const text = `${base}\n[probe]\n${REPORTED_PROBES}\n[storage]\npath = ":memory:"\n`;
  const loaded = parseConfigText(text, 'test.cfg', { env: {} });
  return startVigil({ loaded, logger: pino({ level: 'silent' }), listen: { host: '127.0.0.1', port: 0 } });
}

describe('incidents with updates, in a real browser', () => {
  let browser: Browser;
  let vigil: RunningVigil;

  const manager = async (path: string, body?: unknown) => {
    const response = await fetch(`${vigil.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: MANAGER, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(response.status, 200, path);
    return response.json();
  };
  const pageText = async (path: string) => (await fetch(`${vigil.url}${path}`)).text();

  before(async () => {
    browser = await launchChromium();
    vigil = await startVigilWithOwnLogo();
  });
  after(async () => {
    await browser?.close();
    await vigil?.stop();
  });

  test('an incident with three updates: on top of the page, on its permalink, then in /history once resolved', async () => {
    const [[, firstMessage], ...later] = UPDATES;
    const { id } = (await manager('/manager/incident/', {
      title: TITLE,
      message: firstMessage,
      services: ['web'],
      nodes: ['relay:lan'],
    })) as { id: string };
    for (const [status, message] of later)
      await manager(`/manager/incident/${id}/update/`, { status, message });
    const stored = (await manager(`/manager/incident/${id}/`)) as IncidentView;
    await waitFor('the incident on the page', async () => (await pageText('/')).includes('active-incidents'));

    // Newest first, each with its time, status and message, exactly as the manager API has them.
    const expected = [...stored.updates].reverse().map((update) => ({
      label: update.status[0]?.toUpperCase() + update.status.slice(1),
      datetime: update.at,
      message: update.message,
    }));
    assert.deepEqual(
      expected.map((entry) => entry.label),
      ['Monitoring', 'Identified', 'Investigating'],
    );

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems, requests } = await openRecordedPage(context, `${vigil.url}/`);
      const onTop = await readStory(page, '.active-incidents .incident-story');
      assert.deepEqual(onTop, {
        title: TITLE,
        state: 'Monitoring',
        affects: 'Affects: Web, Relay › LAN',
        entries: expected,
      });
      assert.ok(
        await page.evaluate(
          `!!(document.querySelector('.active-incidents').compareDocumentPosition(document.querySelector('.service')) & Node.DOCUMENT_POSITION_FOLLOWING)`,
        ),
        'above the services',
      );
      await page.screenshot({ path: `${ARTIFACTS}page-active-incident.png`, fullPage: true });

      // The title links to the permalink, which shows the same timeline with the page's styles.
      await page.click('.active-incidents .incident-story-title a');
      await page.waitForURL(`${vigil.url}/incident/${id}`);
      const permalink = await readStory(page, 'main .incident-story');
      assert.deepEqual(permalink, onTop);
      assert.equal(await page.title(), `${TITLE} – Test Status`);
      assert.equal(
        await page.evaluate(`getComputedStyle(document.querySelector('.incident-story')).borderLeftWidth`),
        '4px',
        'page.css loads from the permalink’s folder',
      );
      await page.screenshot({ path: `${ARTIFACTS}page-incident-permalink.png`, fullPage: true });

      await page.click('text=Incident and maintenance history');
      await page.waitForURL(`${vigil.url}/history`);
      assert.equal(await page.locator('.history .incident').count(), 1);
      await page.click('.history .incident a');
      await page.waitForURL(`${vigil.url}/incident/${id}`);
      await page.click('text=Status page');
      await page.waitForURL(`${vigil.url}/`);

      assert.equal(await page.evaluate('window.pwned'), undefined, 'markup stays text');
      assert.deepEqual(problems, []);
      assert.deepEqual(
        requests.filter((url) => !url.startsWith(`${vigil.url}/`)),
        [],
        'nothing leaves the server',
      );
    } finally {
      await context.close();
    }

    // Resolved, it leaves the top of the page and stays in /history with its status.
    await manager(`/manager/incident/${id}/update/`, { status: 'resolved', message: 'Payments work again.' });
    await waitFor(
      'the page without the incident on top',
      async () => !(await pageText('/')).includes('active-incidents'),
    );
    const history = await pageText('/history');
    assert.match(history, /<span class="incident-worst is-resolved">Resolved<\/span>/);
    assert.doesNotMatch(history, /<img src=x|<script>window\.pwned/);
    assert.match(history, /Checkout errors &lt;img src=x/);
  });

  test('axe finds no violations on the page with an incident, its permalink and /history, light or dark', async () => {
    const { id } = (await manager('/manager/incident/', {
      title: 'Slow search',
      status: 'identified',
      message: 'An index is rebuilding.',
    })) as { id: string };
    await waitFor('the incident on the page', async () => (await pageText('/')).includes('Slow search'));
    for (const colorScheme of ['light', 'dark'] as const) {
      // Our CSP (rightly) refuses the injected inline axe script; this context lets it in.
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      try {
        for (const path of ['/', `/incident/${id}`, '/history']) {
          const { page } = await openRecordedPage(context, `${vigil.url}${path}`);
          assert.deepEqual(await runAxe(page, 'all'), [], `${colorScheme} ${path}`);
          await page.close();
        }
      } finally {
        await context.close();
      }
    }
  });
});
