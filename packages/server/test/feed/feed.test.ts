import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FEED_PATH, renderAtom } from '../../src/feed/atom.js';
import { entryId, type FeedEntry } from '../../src/feed/entry.js';
import type { RunningVigil } from '../../src/main.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import { basicAuth } from '../helpers/server.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { startStoredVigil } from '../helpers/store-vigil.js';
import { atomSchemaErrors } from './atom-schema.js';

const BRANDING = {
  page_title: 'Acme <Status> & "Co"',
  page_url: 'https://status.example.com/sub/',
  company_name: 'Acme',
  website_url: 'https://example.com/',
};

const AT = Date.UTC(2026, 2, 5, 18, 0, 0);

function entry(fields: Partial<FeedEntry> = {}): FeedEntry {
  return {
    id: entryId('announcement', '0b8f6d2e-8f3a-4c1e-9d2b-5a6c7e8f9a0b'),
    kind: 'announcement',
    title: 'Database upgrade',
    text: 'We upgrade the database.\nExpect a short pause.',
    publishedMs: AT,
    updatedMs: AT,
    ...fields,
  };
}

describe('Atom document', () => {
  test('validates against RFC 4287 (libxml2 RELAX NG), with entries and without', async () => {
    const withEntries = renderAtom(
      BRANDING,
      [entry(), entry({ id: entryId('incident', 'x'), kind: 'incident' })],
      AT,
    );
    assert.deepEqual(await atomSchemaErrors(withEntries), []);
    assert.deepEqual(await atomSchemaErrors(renderAtom(BRANDING, [], AT)), []);
  });

  test('the validator is no rubber stamp: a feed without <updated> or an entry without <id> fails', async () => {
    const valid = renderAtom(BRANDING, [entry()], AT);
    const noUpdated = valid.replace(/<updated>[^<]*<\/updated>\n<author>/, '<author>');
    assert.match((await atomSchemaErrors(noUpdated)).join('\n'), /Expecting an element updated/);
    const noEntryId = valid.replace(/<entry>\n<id>[^<]*<\/id>/, '<entry>');
    assert.notDeepEqual(await atomSchemaErrors(noEntryId), []);
  });

  test('texts are escaped and characters XML cannot hold are dropped, so hostile text stays text', async () => {
    const hostile = entry({
      title: '</title><script>alert(1)</script>',
      text: 'a & b <b>bold</b> \u0000\u0007\uFFFE\uD800 end',
    });
    const document = renderAtom(BRANDING, [hostile], AT);
    assert.deepEqual(await atomSchemaErrors(document), []);
    assert.match(
      document,
      /<title type="text">&lt;\/title&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/title>/,
    );
    assert.match(document, /<content type="text">a &amp; b &lt;b&gt;bold&lt;\/b&gt; {2}end<\/content>/);
    assert.match(document, /<title type="text">Acme &lt;Status&gt; &amp; &quot;Co&quot;<\/title>/);
  });

  test('links are absolute under the page URL, its sub-path kept; updated is the latest entry', () => {
    const document = renderAtom(BRANDING, [entry({ updatedMs: AT + 1000, path: 'history' }), entry()], AT);
    assert.match(
      document,
      /<link rel="self" type="application\/atom\+xml" href="https:\/\/status\.example\.com\/sub\/feed\.atom"\/>/,
    );
    assert.match(
      document,
      /<link rel="alternate" type="text\/html" href="https:\/\/status\.example\.com\/sub\/history"\/>/,
    );
    assert.match(document, /<feed[^>]*>\n<id>urn:uuid:[0-9a-f-]{36}<\/id>/);
    assert.match(document, new RegExp(`<updated>${new Date(AT + 1000).toISOString()}</updated>\\n<author>`));
  });

  test('entry ids: a UUID as urn:uuid, anything else a stable name-based UUID per kind and id', () => {
    assert.equal(
      entryId('x', '0B8F6D2E-8F3A-4C1E-9D2B-5A6C7E8F9A0B'),
      'urn:uuid:0b8f6d2e-8f3a-4c1e-9d2b-5a6c7e8f9a0b',
    );
    assert.equal(entryId('incident', '42'), entryId('incident', '42'));
    assert.notEqual(entryId('incident', '42'), entryId('maintenance', '42'));
    assert.match(
      entryId('incident', '42'),
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describeEachEngine('GET /feed.atom', (engine) => {
  let location: StoreLocation;
  let vigil: RunningVigil;
  const INCIDENT_ID = 'a1b2c3d4-0000-4000-8000-000000000001';

  before(async () => {
    location = await engine.freshLocation();
    // An automatic incident the last run recorded: the node went dead and recovered.
    const store = await openStore(location);
    await store.incidents.save({
      id: INCIDENT_ID,
      scope: 'node',
      serviceId: 'web',
      nodeId: 'app',
      startedAtMs: AT,
      endedAtMs: AT + 600_000,
      worst: 'dead',
      replicas: ['web:app:10.0.0.1'],
      reasons: [],
    });
    await store.close();
    vigil = await startStoredVigil(location);
  });
  after(() => vigil.stop());

  const feed = async () => {
    const response = await fetch(`${vigil.url}/${FEED_PATH}`);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.text(),
    };
  };

  test('lists announcements and automatic incidents, validates, and is linked from the page head', async () => {
    const posted = await fetch(`${vigil.url}/manager/announcement`, {
      method: 'POST',
      headers: { Authorization: basicAuth('manager-secret'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Maintenance <tonight>', text: 'Short & sweet' }),
    });
    const { id } = (await posted.json()) as { id: string };
    const { status, type, body } = await feed();
    assert.equal(status, 200);
    assert.equal(type, 'application/atom+xml; charset=utf-8');
    assert.deepEqual(await atomSchemaErrors(body), []);
    // The announcement was posted after the page read the feed, yet it is there: a change rebuilds it.
    assert.match(
      body,
      new RegExp(`<id>urn:uuid:${id}</id>\\n<title type="text">Maintenance &lt;tonight&gt;</title>`),
    );
    assert.match(
      body,
      new RegExp(`<id>urn:uuid:${INCIDENT_ID}</id>\\n<title type="text">Resolved: Web › App</title>`),
    );
    assert.match(
      body,
      /<category term="incident"\/>\n<content type="text">Started 2026-03-05T18:00:00.000Z.\nResolved 2026-03-05T18:10:00.000Z.\n1 replica affected.<\/content>/,
    );
    // Replica ids (often private addresses) stay out of the feed, as on the page.
    assert.doesNotMatch(body, /10\.0\.0\.1/);

    // A maintenance window, scheduled for tomorrow.
    const startsAt = new Date(Date.now() + 86_400_000);
    const scheduled = await fetch(`${vigil.url}/manager/maintenance`, {
      method: 'POST',
      headers: { Authorization: basicAuth('manager-secret'), 'Content-Type': 'application/json' },
      body: JSON.stringify({
        title: 'Router swap',
        text: 'The router is replaced.',
        starts_at: startsAt.toISOString(),
        ends_at: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        services: ['web'],
      }),
    });
    assert.equal(scheduled.status, 200);
    const withWindow = (await feed()).body;
    assert.deepEqual(await atomSchemaErrors(withWindow), []);
    assert.match(withWindow, /<title type="text">Scheduled maintenance: Router swap<\/title>/);
    assert.match(
      withWindow,
      /<category term="maintenance"\/>\n<content type="text">From [^<]+\.\n\nThe router is replaced\.<\/content>/,
    );

    const page = await (await fetch(`${vigil.url}/`)).text();
    assert.match(
      page,
      /<link rel="alternate" type="application\/atom\+xml" title="Test Status" href="feed\.atom">/,
    );
  });

  test('a declared incident is one entry with its three updates, newest first, linked to its permalink', async () => {
    const manager = (path: string, body: unknown) =>
      fetch(`${vigil.url}${path}`, {
        method: 'POST',
        headers: { Authorization: basicAuth('manager-secret'), 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const declared = await manager('/manager/incident', {
      title: 'Checkout errors',
      status: 'investigating',
      message: 'Payments <fail> for some & not others.',
      services: ['web'],
    });
    assert.equal(declared.status, 200);
    const { id } = (await declared.json()) as { id: string };
    const updated = await manager(`/manager/incident/${id}/update`, {
      status: 'identified',
      message: 'A bad deploy.',
    });
    assert.equal(updated.status, 200);
    assert.equal(
      (await manager(`/manager/incident/${id}/update`, { status: 'resolved', message: 'Rolled back.' }))
        .status,
      200,
    );
    const { body } = await feed();
    assert.deepEqual(await atomSchemaErrors(body), []);
    const entry = new RegExp(`<entry>\\n<id>urn:uuid:${id}</id>\\n([^]*?)</entry>`).exec(body)?.[1] ?? '';
    assert.match(entry, /^<title type="text">Resolved: Checkout errors<\/title>/);
    assert.match(
      entry,
      /<link rel="alternate" type="text\/html" href="https:\/\/status\.example\.com\/incident\/[0-9a-f-]{36}"\/>/,
    );
    assert.match(
      entry,
      /<content type="text">Resolved \([^)]+\): Rolled back\.\n\nIdentified \([^)]+\): A bad deploy\.\n\nInvestigating \([^)]+\): Payments &lt;fail&gt; for some &amp; not others\.<\/content>/,
    );
  });

  test('entry ids are the same after a restart', async () => {
    const ids = (body: string) => [...body.matchAll(/<entry>\n<id>([^<]+)<\/id>/g)].map((match) => match[1]);
    const before = ids((await feed()).body);
    assert.equal(before.length, 4);
    await vigil.stop();
    vigil = await startStoredVigil(location);
    assert.deepEqual(ids((await feed()).body), before);
  });
});
