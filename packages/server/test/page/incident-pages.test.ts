import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { HistoryReader } from '../../src/history/reader.js';
import { IncidentLog } from '../../src/incidents/log.js';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { html } from '../../src/web/html.js';
import type { HistorySource } from '../../src/web/page/history-page.js';
import { HISTORY_PAGE_SIZE } from '../../src/web/routes/incident-pages.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { buildTestApp } from '../helpers/server.js';
import { REPORTED_PROBES, startStoredVigil } from '../helpers/store-vigil.js';
import { waitFor } from '../helpers/vigil.js';

const MINUTE_MS = 60_000;

/** Entry ids of a /history page, in order: incident links and the fake source's items. */
const entriesOf = (page: string) =>
  [
    ...page.matchAll(
      /<li class="incident[^"]*">.*?href="(?:\.\.\/)*incident\/([^"]+)"|<li class="other" data-id="([^"]+)"/g,
    ),
  ].map(([, incident, other]) => incident ?? other);
const linkOf = (page: string, rel: string) =>
  page.match(
    new RegExp(
      `<a href="([^"]*)"${rel === 'next' ? ' rel="next"' : ''}>${rel === 'next' ? 'Older' : 'Newest'}</a>`,
    ),
  )?.[1];

describe('/history and the incident permalinks', () => {
  let store: Store;
  let clock: FakeClock;
  let log: IncidentLog;
  let model: HealthModel;
  let app: ReturnType<typeof buildTestApp>;
  let config: ReturnType<typeof testConfig>;
  const declared: string[] = [];

  /** A second source, as maintenance windows are: one entry between every incident. */
  const others: HistorySource = {
    async entries({ limit, before }) {
      const all = declared.map((_id, index) => ({
        atMs: startOf(index) + MINUTE_MS / 2,
        id: `other-${index}`,
      }));
      return all
        .filter(
          (entry) =>
            !before || entry.atMs < before.atMs || (entry.atMs === before.atMs && entry.id < before.id),
        )
        .reverse()
        .slice(0, limit)
        .map((entry) => ({ ...entry, html: html`<li class="other" data-id="${entry.id}">window</li>` }));
    },
  };
  const startOf = (index: number) => Date.UTC(2026, 0, 1, 12, 0, 0) + index * MINUTE_MS;

  before(async () => {
    store = await openStore({ engine: 'sqlite', path: ':memory:' });
    clock = new FakeClock(startOf(0));
    log = new IncidentLog(store, clock);
    for (let index = 0; index < 20; index++) {
      clock.advance(startOf(index) - clock.now());
      const incident = await log.declare({
        title: `Incident ${index}`,
        status: 'resolved',
        message: 'm',
        services: [],
        nodes: [],
      });
      declared.push(incident.id);
    }
    config = testConfig(REPORTED_PROBES);
    model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), clock);
    app = buildTestApp({
      settings: config,
      model,
      clock,
      logger: pino({ level: 'silent' }),
      history: { history: new HistoryReader(store, clock), incidents: store.incidents },
      incidents: log,
      historySources: [others],
      pageRenderIntervalMs: 0,
    });
  });
  after(async () => {
    await app.close();
    model.stop();
    await store.close();
  });

  const get = (url: string) => app.inject({ url });

  test('pages through every source together, latest first, and back to the newest', async () => {
    const expected = declared.flatMap((id, index) => [id, `other-${index}`]).reverse();
    const first = await get('/history');
    assert.equal(first.statusCode, 200);
    assert.match(String(first.headers['content-type']), /^text\/html/);
    assert.equal(first.headers['cache-control'], 'no-cache');
    assert.match(String(first.headers['content-security-policy']), /default-src 'self'/);
    const firstEntries = entriesOf(first.body);
    assert.equal(firstEntries.length, HISTORY_PAGE_SIZE);
    assert.equal(linkOf(first.body, 'newest'), undefined, 'the first page needs no way back');
    const next = linkOf(first.body, 'next');
    assert.ok(next?.startsWith('history?cursor='));

    const second = await get(`/${next}`);
    const secondEntries = entriesOf(second.body);
    assert.deepEqual([...firstEntries, ...secondEntries], expected);
    assert.equal(linkOf(second.body, 'next'), undefined, 'the last page');
    assert.equal(linkOf(second.body, 'newest'), 'history');
  });

  test('links and assets are relative to where the page is: any proxy prefix keeps working', async () => {
    const [latest = ''] = declared.slice(-1);
    const permalink = await get(`/incident/${latest}`);
    assert.equal(permalink.statusCode, 200);
    assert.match(permalink.body, /<link rel="stylesheet" href="\.\.\/assets\/page\.css\?v=/);
    assert.match(permalink.body, /<a href="\.\.\/history">/);
    assert.match(permalink.body, /<h1 class="incident-story-title" id="[^"]+">Incident 19<\/h1>/);
    assert.doesNotMatch(permalink.body, /live\.js/, 'live updates follow the status page only');
    const slashed = await get(`/incident/${latest}/`);
    assert.match(slashed.body, /href="\.\.\/\.\.\/assets\/page\.css/);
    const history = await get('/history/');
    assert.match(history.body, /href="\.\.\/assets\/page\.css/);
    assert.match(history.body, new RegExp(`href="\\.\\./incident/${latest}"`));
  });

  test('unknown incidents are 404 and bad cursors 400', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', '%00', 'a.b']) {
      const response = await get(`/incident/${id}`);
      assert.equal(response.statusCode, 404, id);
      assert.deepEqual(response.json(), { error: 'unknown incident' });
    }
    for (const query of ['?cursor=!', '?cursor=e30', '?page=2']) {
      assert.equal((await get(`/history${query}`)).statusCode, 400, query);
    }
  });

  test('the status page lists incidents of both kinds with their permalinks, and links to /history', async () => {
    await waitFor('the incidents on the page', async () => (await get('/')).body.includes('incident-list'));
    const page = (await get('/')).body;
    const section = page.split('<section class="incidents"')[1] ?? '';
    assert.match(section, /<a href="incident\/[^"]+"><strong>Incident 19<\/strong><\/a>/);
    assert.match(section, /<a href="history">All incidents and maintenance<\/a>/);
  });
  test('an annotated detected incident shows on top while open, with when it was detected', async () => {
    const startedAtMs = clock.now() + MINUTE_MS;
    clock.advance(2 * MINUTE_MS);
    await store.incidents.save({
      id: 'detected-1',
      scope: 'node',
      serviceId: 'web',
      nodeId: 'app',
      startedAtMs,
      worst: 'dead',
      replicas: ['web:app:host-1'],
      reasons: [],
    });
    await log.update('detected-1', { status: 'identified', message: 'The disk <b>is</b> full.' });
    await waitFor('the annotation on the page', async () =>
      (await get('/')).body.includes('active-incidents'),
    );
    const page = (await get('/')).body;
    const top = page.split('<section class="active-incidents"')[1]?.split('</section>')[0] ?? '';
    assert.match(top, /<a href="incident\/detected-1">Web › App<\/a>/);
    assert.match(top, /<span class="incident-state is-identified">Identified<\/span>/);
    const entries = [
      ...top.matchAll(/<strong>(\w+)<\/strong>.*?<p class="timeline-message">(.*?)<\/p>/g),
    ].map(([, label, message]) => [label, message]);
    assert.deepEqual(entries, [
      ['Identified', 'The disk &lt;b&gt;is&lt;/b&gt; full.'],
      ['Detected', 'Web › App is not healthy. Worst state: dead.'],
    ]);
    assert.doesNotMatch(top, /host-1/, 'replica ids stay hidden unless the node reveals them');
  });
  test('speak the branding’s language, read at each request as a reload would change it', async () => {
    const [latest = ''] = declared.slice(-1);
    config.branding = { ...config.branding, language: 'fr' };
    try {
      const history = (await get('/history')).body;
      assert.match(history, /<html lang="fr"/);
      assert.match(history, /<title>Historique – Test Status<\/title>/);
      assert.match(
        history,
        /<h1 class="incidents-title" id="history-title">Historique des incidents et maintenances<\/h1>/,
      );
      assert.match(history, /<span class="incident-worst is-resolved">Résolu<\/span>/);
      const permalink = (await get(`/incident/${latest}`)).body;
      assert.match(
        permalink,
        /<span class="incident-state is-resolved">Résolu<\/span> <span class="muted">depuis le/,
      );
      assert.match(permalink, /<ol class="incident-timeline" aria-label="Mises à jour">/);
    } finally {
      config.branding = { ...config.branding, language: 'en' };
    }
    assert.match((await get('/history')).body, /<html lang="en"/);
  });
});

describe('/history on the whole server (main.ts)', () => {
  test('lists past maintenance windows among the incidents, latest first', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vigil-history-'));
    const location = { engine: 'sqlite', path: join(folder, 'vigil.db') } as const;
    try {
      const nowMs = Date.now();
      const seeded = await openStore(location);
      const window = (id: string, endsAtMs: number, title: string) =>
        seeded.maintenance.insert({
          id,
          title,
          text: 'x',
          startsAtMs: endsAtMs - 60 * MINUTE_MS,
          endsAtMs,
          services: ['web'],
          nodes: ['relay:lan'],
          createdAtMs: endsAtMs - 120 * MINUTE_MS,
        });
      await window('00000000-0000-4000-8000-0000000000a1', nowMs - 90 * MINUTE_MS, 'Old <b>upgrade</b>');
      await window('00000000-0000-4000-8000-0000000000a2', nowMs - 10 * MINUTE_MS, 'Recent upgrade');
      await seeded.close();

      const vigil = await startStoredVigil(location);
      try {
        const manager = { Authorization: `Basic ${Buffer.from(':manager-secret').toString('base64')}` };
        const declared = await fetch(`${vigil.url}/manager/incident/`, {
          method: 'POST',
          headers: { ...manager, 'Content-Type': 'application/json' },
          body: JSON.stringify({ title: 'Now', message: 'm' }),
        });
        assert.equal(declared.status, 200);
        const page = await (await fetch(`${vigil.url}/history`)).text();
        const titles = [...page.matchAll(/<p class="incident-head">.*?<strong>(.*?)<\/strong>/g)].map(
          ([, title]) => title,
        );
        assert.deepEqual(titles, ['Now', 'Recent upgrade', 'Old &lt;b&gt;upgrade&lt;/b&gt;']);
        assert.match(page, /<span class="incident-worst is-maintenance">Maintenance<\/span>/);
        assert.match(page, /Affects: Web, Relay \/ LAN/);
      } finally {
        await vigil.stop();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
