import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningVigil } from '../../src/main.js';
import type { Alert } from '../../src/notify/types.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import { JSON_TYPE, type ManagerCall, managerCaller, UUID_V4 } from '../helpers/manager-call.js';
import { basicAuth } from '../helpers/server.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES, startStoredVigil } from '../helpers/store-vigil.js';

/** Notifications on, with no channel: the deliveries listed are the ones seeded in the store. */
const NOTIFY = '[notify]\nstartup_notification = false\n';
/** Recent: older finished deliveries would be pruned at start (`outbox_retention_days`). */
const T0 = Date.now() - 60_000;

interface DeliveryView {
  alert: { id: string };
  channel: string;
  target: string;
  state: string;
  next_attempt_at: string | null;
  attempts: Array<{ number: number; at: string; ok: boolean; error: string | null }>;
}

/** One delivered, one failed after two attempts, one pending: oldest to newest. */
async function seedDeliveries(location: StoreLocation) {
  const store = await openStore(location);
  try {
    const alert = (id: string, atMs: number): Alert => ({
      id,
      kind: 'changed',
      status: 'dead',
      replicas: [],
      atMs,
      page: { title: 'Test Status', url: 'https://status.example.com/' },
    });
    await store.outbox.enqueue(alert('a0', T0), ['webhook'], T0);
    await store.outbox.complete({ alertId: 'a0', channel: 'webhook' }, T0);
    // An entry of a [[notify.slack]] array: the cursor after it carries its target id.
    await store.outbox.enqueue(alert('a1', T0 + 1), ['slack#ops'], T0 + 1);
    const slack = { alertId: 'a1', channel: 'slack#ops' } as const;
    await store.outbox.markAttempt(slack, { atMs: T0 + 1, error: 'HTTP 502', retryAtMs: T0 + 2 });
    await store.outbox.markAttempt(slack, { atMs: T0 + 2, error: 'HTTP 503' });
    await store.outbox.enqueue(alert('a2', T0 + 2), ['email'], T0 + 60_000);
  } finally {
    await store.close();
  }
}

describeEachEngine('manager API', (engine) => {
  let location: StoreLocation;
  let vigil: RunningVigil;

  const call = managerCaller(() => vigil.url);

  const listed = async () => (await call('/manager/announcements/')).json();
  const ignored = async () => (await call('/manager/prober/alerts/ignored/')).json();
  const report = (path: string, body: unknown) =>
    fetch(`${vigil.url}/reporter/${path}/`, {
      method: 'POST',
      headers: { Authorization: basicAuth('reporter-secret'), 'Content-Type': JSON_TYPE },
      body: JSON.stringify(body),
    }).then((response) => response.status);

  before(async () => {
    location = await engine.freshLocation();
    await seedDeliveries(location);
    vigil = await startStoredVigil(location, REPORTED_PROBES, NOTIFY);
  });
  after(() => vigil.stop());

  describe('authentication', () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/manager/announcements/'],
      ['POST', '/manager/announcement/', { title: 't', text: 'x' }],
      ['PUT', '/manager/announcement/00000000-0000-4000-8000-000000000000/', { title: 't', text: 'x' }],
      ['DELETE', '/manager/announcement/00000000-0000-4000-8000-000000000000/'],
      ['GET', '/manager/prober/alerts/'],
      ['GET', '/manager/prober/alerts/ignored/'],
      ['PUT', '/manager/prober/alerts/ignored/', { reminders_seconds: 10 }],
      ['GET', '/manager/notifications/'],
    ];

    test("every route answers 401 with Vigil's challenge without credentials, and changes nothing", async () => {
      for (const [method, path, body] of routes) {
        const response = await call(path, { method, body, auth: null });
        assert.equal(response.status, 401, `${method} ${path}`);
        assert.equal(response.headers.get('www-authenticate'), 'Basic realm="Reporter Token"');
      }
      assert.deepEqual(await listed(), []);
      assert.deepEqual(await ignored(), { reminders_seconds: null });
    });

    test('every route answers 403 to a wrong password, the reporter token included', async () => {
      for (const [method, path, body] of routes) {
        for (const auth of [basicAuth('wrong'), basicAuth('reporter-secret')]) {
          const response = await call(path, { method, body, auth });
          assert.equal(response.status, 403, `${method} ${path}`);
          assert.equal(response.headers.get('www-authenticate'), 'Basic realm="Reporter Token"');
        }
      }
      assert.deepEqual(await listed(), []);
    });

    test('the user name is ignored, and a wrong method is 404 even without credentials', async () => {
      assert.equal(
        (await call('/manager/announcements', { auth: basicAuth('manager-secret', 'anyone') })).status,
        200,
      );
      assert.equal((await call('/manager/announcements/', { method: 'POST', auth: null })).status, 404);
      assert.equal(
        (await call('/manager/prober/alerts/ignored/', { method: 'POST', auth: null })).status,
        404,
      );
    });
  });

  describe('notifications', () => {
    const page = async (query: string) => {
      const response = await call(`/manager/notifications/${query}`);
      assert.equal(response.status, 200, response.text);
      return response.json() as { deliveries: DeliveryView[]; next_cursor: string | null };
    };

    test('lists deliveries of every state with their attempts, newest first, in pages', async () => {
      const first = await page('?limit=2');
      assert.deepEqual(
        first.deliveries.map((each) => [each.alert.id, each.channel, each.target, each.state]),
        [
          ['a2', 'email', 'email', 'pending'],
          ['a1', 'slack', 'slack#ops', 'failed'],
        ],
      );
      assert.equal(first.deliveries[0]?.next_attempt_at, new Date(T0 + 60_000).toISOString());
      assert.deepEqual(first.deliveries[1]?.attempts, [
        { number: 1, at: new Date(T0 + 1).toISOString(), ok: false, error: 'HTTP 502' },
        { number: 2, at: new Date(T0 + 2).toISOString(), ok: false, error: 'HTTP 503' },
      ]);
      assert.ok(first.next_cursor);
      const second = await page(`?limit=2&cursor=${first.next_cursor}`);
      assert.deepEqual(
        second.deliveries.map((each) => [each.alert.id, each.channel, each.state, each.attempts.length]),
        [['a0', 'webhook', 'delivered', 1]],
      );
      assert.equal(second.next_cursor, null);
      assert.equal((await page('')).deliveries.length, 3, 'the default limit (50) holds them all');
    });

    test('a bad limit, cursor or parameter is 400 with a JSON error', async () => {
      for (const query of [
        '?limit=0',
        '?limit=201',
        '?limit=abc',
        '?limit=1.5',
        '?cursor=nope',
        '?since=1',
      ]) {
        const response = await call(`/manager/notifications/${query}`);
        assert.equal(response.status, 400, query);
        assert.equal(typeof (response.json() as { error: unknown }).error, 'string', query);
      }
      assert.equal((await call('/manager/notifications/?limit=200')).status, 200);
    });
  });

  describe('announcements', () => {
    test('POST inserts and answers a lowercase UUID v4; GET lists id and title only, oldest first', async () => {
      const first = await call('/manager/announcement/', {
        method: 'POST',
        body: { title: 'Maintenance', text: 'Tonight\nat 22:00' },
      });
      assert.equal(first.status, 200);
      const { id } = first.json() as { id: string };
      assert.match(id, UUID_V4);
      const second = await call('/manager/announcement', {
        method: 'POST',
        body: { title: 'Second', text: 'x', unknown: 1 },
      });
      const secondId = (second.json() as { id: string }).id;
      assert.deepEqual(await listed(), [
        { id, title: 'Maintenance' },
        { id: secondId, title: 'Second' },
      ]);
      for (const each of [id, secondId]) {
        assert.equal((await call(`/manager/announcement/${each}/`, { method: 'DELETE' })).status, 200);
      }
    });

    test('bad bodies are 400 with a JSON error and store nothing', async () => {
      const bad: Array<[string, ManagerCall]> = [
        ['empty title', { body: { title: '', text: 'x' } }],
        ['empty text', { body: { title: 't', text: '' } }],
        ['missing text', { body: { title: 't' } }],
        ['missing title', { body: { text: 'x' } }],
        ['title not a string', { body: { title: 1, text: 'x' } }],
        ['an array', { body: [{ title: 't', text: 'x' }] }],
        ['malformed JSON', { raw: '{"title":"t",' }],
        ['no body', { headers: { 'Content-Type': JSON_TYPE } }],
        ['text/plain', { raw: '{"title":"t","text":"x"}', headers: { 'Content-Type': 'text/plain' } }],
        ['unknown severity', { body: { title: 't', text: 'x', severity: 'fatal' } }],
        ['expires_at not RFC 3339', { body: { title: 't', text: 'x', expires_at: 'tomorrow' } }],
        ['expires_at without a zone', { body: { title: 't', text: 'x', expires_at: '2099-01-01T00:00:00' } }],
        ['expires_at in the past', { body: { title: 't', text: 'x', expires_at: '2001-01-01T00:00:00Z' } }],
        ['expires_in_seconds zero', { body: { title: 't', text: 'x', expires_in_seconds: 0 } }],
        ['expires_in_seconds fractional', { body: { title: 't', text: 'x', expires_in_seconds: 1.5 } }],
        [
          'both expiries',
          { body: { title: 't', text: 'x', expires_at: '2099-01-01T00:00:00Z', expires_in_seconds: 60 } },
        ],
        // SQLite cannot store a lone surrogate, PostgreSQL no NUL: refused here, not by a failing write.
        ['a lone surrogate in the title', { body: { title: 'a\ud800', text: 'x' } }],
        ['a lone surrogate in the text', { body: { title: 't', text: 'x\udfff' } }],
        ['a NUL in the text', { body: { title: 't', text: 'a\u0000b' } }],
        ['an escape character in the text', { body: { title: 't', text: '\u001b[31mred' } }],
        ['a line break in the title', { body: { title: 'two\nlines', text: 'x' } }],
        ['a title of 257 characters', { body: { title: 'é'.repeat(257), text: 'x' } }],
        ['a text over 16 KB', { body: { title: 't', text: 'x'.repeat(16 * 1024 + 1) } }],
      ];
      for (const [why, request] of bad) {
        const response = await call('/manager/announcement/', { method: 'POST', ...request });
        assert.equal(response.status, 400, why);
        assert.equal(typeof (response.json() as { error: unknown }).error, 'string', why);
      }
      assert.deepEqual(await listed(), []);
    });

    test('the longest title and text are accepted, with tabs and line breaks, and stored as sent', async () => {
      const title = '😀'.repeat(256);
      const text = `${'ü'.repeat(8 * 1024 - 2)}\t\r\n`;
      const response = await call('/manager/announcement/', { method: 'POST', body: { title, text } });
      assert.equal(response.status, 200, response.text);
      const store = await openStore(location);
      try {
        assert.deepEqual(
          (await store.announcements.list()).map((each) => [each.title, each.text]),
          [[title, text]],
        );
      } finally {
        await store.close();
      }
      await call(`/manager/announcement/${(response.json() as { id: string }).id}/`, { method: 'DELETE' });
    });

    test('errors name the field and what is allowed', async () => {
      const cases: Array<[unknown, string]> = [
        [{ title: 'x'.repeat(300), text: 'x' }, 'body/title must have at most 256 characters, got 300'],
        [
          { title: 't', text: 'a\u0000' },
          'body/text must be well-formed Unicode without control characters other than tab and line breaks',
        ],
        [{ title: 't', text: 'é'.repeat(9000) }, 'body/text must be at most 16384 bytes in UTF-8, got 18000'],
      ];
      for (const [body, error] of cases) {
        const response = await call('/manager/announcement/', { method: 'POST', body });
        assert.equal(response.status, 400);
        assert.deepEqual(response.json(), { error });
      }
    });

    test('at most 100 announcements: the next one is 409 and stored nowhere; deleting one makes room', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 100; n++) {
        const response = await call('/manager/announcement/', {
          method: 'POST',
          body: { title: `n${n}`, text: 'x' },
        });
        assert.equal(response.status, 200);
        ids.push((response.json() as { id: string }).id);
      }
      const refused = await call('/manager/announcement/', {
        method: 'POST',
        body: { title: 'extra', text: 'x' },
      });
      assert.equal(refused.status, 409);
      assert.match((refused.json() as { error: string }).error, /already 100 announcements.*delete one/);
      assert.equal(((await listed()) as unknown[]).length, 100);
      const store = await openStore(location);
      try {
        assert.equal((await store.announcements.list()).length, 100);
      } finally {
        await store.close();
      }
      assert.equal((await call(`/manager/announcement/${ids[0]}/`, { method: 'DELETE' })).status, 200);
      const again = await call('/manager/announcement/', {
        method: 'POST',
        body: { title: 'extra', text: 'x' },
      });
      assert.equal(again.status, 200);
      ids.push((again.json() as { id: string }).id);
      for (const id of ids.slice(1)) await call(`/manager/announcement/${id}/`, { method: 'DELETE' });
      assert.deepEqual(await listed(), []);
    });

    test('extension fields are stored: severity and an expiry, absolute or relative', async () => {
      const absolute = await call('/manager/announcement/', {
        method: 'POST',
        body: { title: 'Upgrade', text: 'x', severity: 'warning', expires_at: '2099-01-01T01:00:00+01:00' },
      });
      const relative = await call('/manager/announcement/', {
        method: 'POST',
        body: { title: 'Soon over', text: 'y', expires_in_seconds: 3600 },
      });
      assert.equal(absolute.status, 200);
      assert.equal(relative.status, 200);
      const store = await openStore(location);
      try {
        const stored = await store.announcements.list();
        assert.equal(stored[0]?.severity, 'warning');
        assert.equal(stored[0]?.expiresAtMs, Date.UTC(2099, 0, 1));
        const inAnHour = (stored[1]?.expiresAtMs ?? 0) - Date.now();
        assert.ok(inAnHour > 3_590_000 && inAnHour <= 3_600_000, `expires in ${inAnHour} ms`);
      } finally {
        await store.close();
      }
      for (const { id } of (await listed()) as Array<{ id: string }>) {
        await call(`/manager/announcement/${id}`, { method: 'DELETE' });
      }
    });

    test('DELETE of an unknown id is 404 and leaves the others; a deleted one is gone for good', async () => {
      const { id } = (
        await call('/manager/announcement/', { method: 'POST', body: { title: 'Keep', text: 'x' } })
      ).json() as {
        id: string;
      };
      const unknown = await call('/manager/announcement/4a1c7d7e-8c07-4a27-9b4e-3f2b0f3f5a11/', {
        method: 'DELETE',
      });
      assert.equal(unknown.status, 404);
      assert.equal(typeof (unknown.json() as { error: unknown }).error, 'string');
      assert.deepEqual(await listed(), [{ id, title: 'Keep' }]);
      const removed = await call(`/manager/announcement/${id}/`, { method: 'DELETE' });
      assert.equal(removed.status, 200);
      assert.equal(removed.text, '');
      assert.equal((await call(`/manager/announcement/${id}/`, { method: 'DELETE' })).status, 404);
      assert.deepEqual(await listed(), []);
    });

    test('PUT replaces the fields in the store, keeping the id, the place and the publication time', async () => {
      const post = async (title: string) =>
        (
          (await call('/manager/announcement/', { method: 'POST', body: { title, text: 'x' } })).json() as {
            id: string;
          }
        ).id;
      const first = await post('First');
      const second = await post('Second');
      const edited = await call(`/manager/announcement/${first}/`, {
        method: 'PUT',
        body: { title: 'First, edited', text: 'y', severity: 'critical', expires_at: '2099-01-01T00:00:00Z' },
      });
      assert.equal(edited.status, 200);
      assert.deepEqual(edited.json(), { id: first });
      assert.deepEqual(await listed(), [
        { id: first, title: 'First, edited' },
        { id: second, title: 'Second' },
      ]);
      const store = await openStore(location);
      try {
        const [stored] = await store.announcements.list();
        assert.equal(stored?.text, 'y');
        assert.equal(stored?.severity, 'critical');
        assert.equal(stored?.expiresAtMs, Date.UTC(2099, 0, 1));
        assert.ok((stored?.atMs ?? 0) <= Date.now());
      } finally {
        await store.close();
      }
      // Dropping the optional fields removes them; a bad body or an unknown id changes nothing.
      await call(`/manager/announcement/${first}/`, { method: 'PUT', body: { title: 'Plain', text: 'z' } });
      const bad = await call(`/manager/announcement/${first}/`, {
        method: 'PUT',
        body: { title: '', text: 'z' },
      });
      assert.equal(bad.status, 400);
      assert.match((bad.json() as { error: string }).error, /body\/title/);
      const unknown = await call('/manager/announcement/4a1c7d7e-8c07-4a27-9b4e-3f2b0f3f5a11/', {
        method: 'PUT',
        body: { title: 'Ghost', text: 'x' },
      });
      assert.equal(unknown.status, 404);
      const reopened = await openStore(location);
      try {
        const [stored] = await reopened.announcements.list();
        assert.deepEqual(
          [stored?.title, stored?.severity, stored?.expiresAtMs],
          ['Plain', undefined, undefined],
        );
      } finally {
        await reopened.close();
      }
      for (const id of [first, second]) await call(`/manager/announcement/${id}/`, { method: 'DELETE' });
    });
  });

  describe('prober alerts', () => {
    test('lists dead then sick replicas by probe, node and replica', async () => {
      assert.deepEqual((await call('/manager/prober/alerts/')).json(), { dead: [], sick: [] });
      assert.equal(
        await report('web/app', { replica: 'busy', interval: 30, load: { cpu: 0.99, ram: 0.1 } }),
        200,
      );
      assert.equal(
        await report('relay/lan', { replica: 'icmp://10.0.0.1', interval: 60, health: 'dead' }),
        200,
      );
      const response = await call('/manager/prober/alerts/');
      assert.equal(response.text.indexOf('"dead"') < response.text.indexOf('"sick"'), true);
      assert.deepEqual(response.json(), {
        dead: [{ probe: 'relay', node: 'lan', replica: 'icmp://10.0.0.1' }],
        sick: [{ probe: 'web', node: 'app', replica: 'busy' }],
      });
    });
  });

  describe('reminder-ignore window', () => {
    test('is null until set, then counts down in whole seconds, and null or absent clears it', async () => {
      assert.deepEqual(await ignored(), { reminders_seconds: null });
      const set = await call('/manager/prober/alerts/ignored/', {
        method: 'PUT',
        body: { reminders_seconds: 600 },
      });
      assert.equal(set.status, 200);
      assert.equal(set.text, '');
      const { reminders_seconds: left } = (await ignored()) as { reminders_seconds: number };
      assert.ok(left === 599 || left === 600, `${left} s left`);
      await call('/manager/prober/alerts/ignored/', { method: 'PUT', body: {} });
      assert.deepEqual(await ignored(), { reminders_seconds: null });
      await call('/manager/prober/alerts/ignored/', { method: 'PUT', body: { reminders_seconds: 65_535 } });
      await call('/manager/prober/alerts/ignored', { method: 'PUT', body: { reminders_seconds: null } });
      assert.deepEqual(await ignored(), { reminders_seconds: null });
    });

    test('out-of-range and mistyped values are 400 and keep the current window', async () => {
      await call('/manager/prober/alerts/ignored/', { method: 'PUT', body: { reminders_seconds: 3600 } });
      const bad: Array<[string, ManagerCall]> = [
        ['above 65535', { body: { reminders_seconds: 65_536 } }],
        ['negative', { body: { reminders_seconds: -1 } }],
        ['fractional', { body: { reminders_seconds: 1.5 } }],
        ['a string', { body: { reminders_seconds: '60' } }],
        ['an array', { body: [60] }],
        ['malformed JSON', { raw: '{"reminders_seconds":' }],
        ['no body', {}],
      ];
      for (const [why, request] of bad) {
        const response = await call('/manager/prober/alerts/ignored/', { method: 'PUT', ...request });
        assert.equal(response.status, 400, why);
      }
      const { reminders_seconds: left } = (await ignored()) as { reminders_seconds: number };
      assert.ok(left >= 3595 && left <= 3600, `${left} s left`);
    });
  });

  test('announcements and the ignore window survive a restart on the same store', async () => {
    const { id } = (
      await call('/manager/announcement/', { method: 'POST', body: { title: 'Durable', text: 'x' } })
    ).json() as {
      id: string;
    };
    await call('/manager/prober/alerts/ignored/', { method: 'PUT', body: { reminders_seconds: 900 } });
    await vigil.stop();
    vigil = await startStoredVigil(location, REPORTED_PROBES, NOTIFY);
    assert.deepEqual(await listed(), [{ id, title: 'Durable' }]);
    const { reminders_seconds: left } = (await ignored()) as { reminders_seconds: number };
    assert.ok(left >= 895 && left <= 900, `${left} s left`);
  });
});
