import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningVigil } from '../../src/main.js';
import { managerGet, SEEDED_TARGETS, startConsoleVigil } from '../helpers/admin-console.js';
import { startTestServer } from '../helpers/server.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';

const FORM = 'application/x-www-form-urlencoded';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** A browser's view of the console, by hand: the cookie it holds and the headers it sends. */
class ConsoleClient {
  cookie = '';
  constructor(private readonly vigil: RunningVigil) {}

  get origin(): string {
    return this.vigil.url;
  }

  async request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) {
    const response = await fetch(`${this.vigil.url}${path}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...(this.cookie === '' ? {} : { Cookie: this.cookie }), ...init.headers },
      body: init.body,
    });
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
    } satisfies Answer;
  }

  /** A form post as Chromium sends it from the console: same Origin, the form's fields. */
  post(
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = { Origin: this.origin },
  ) {
    return this.request(path, {
      method: 'POST',
      headers: { 'Content-Type': FORM, ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async signIn(token = 'manager-secret'): Promise<Answer> {
    const answer = await this.post('/admin/sign-in', { token });
    const cookie = answer.headers.get('set-cookie');
    if (cookie) this.cookie = cookie.split(';')[0] ?? '';
    return answer;
  }

  /** The console page and the synchronizer token its forms carry. */
  async page(): Promise<{ text: string; csrf: string }> {
    const { text } = await this.request('/admin');
    return { text, csrf: /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? '' };
  }

  /** A post of one of the console's forms, with the page's token. */
  async submit(path: string, fields: Record<string, string> = {}): Promise<Answer> {
    const { csrf } = await this.page();
    return this.post(path, { csrf, ...fields });
  }
}

interface ListedIncident {
  id: string;
  title: string;
  status: string;
  active: boolean;
  services: string[];
  updates: Array<{ message: string }>;
}

const announcementTitles = async (vigil: RunningVigil) =>
  ((await managerGet(vigil, '/manager/announcements')) as Array<{ title: string }>).map((each) => each.title);

describe('admin console over HTTP', () => {
  let server: Awaited<ReturnType<typeof startConsoleVigil>>;
  let vigil: RunningVigil;

  before(async () => {
    server = await startConsoleVigil('auth_failure_limit = 3');
    vigil = server.vigil;
  });
  after(() => server.stop());

  test('without a session, /admin is the sign-in page under the console policy', async () => {
    const answer = await new ConsoleClient(vigil).request('/admin');
    assert.equal(answer.status, 200);
    assert.match(answer.text, /<form[^>]*action="\/admin\/sign-in"/);
    assert.match(answer.text, /<input id="token" name="token" type="password"/);
    const policy = answer.headers.get('content-security-policy') ?? '';
    assert.match(policy, /form-action 'self'/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get('referrer-policy'), 'same-origin');
    assert.equal(answer.headers.get('x-frame-options'), 'DENY');
  });

  test('signing in sets an HttpOnly, SameSite=Strict cookie for /admin, Secure behind TLS', async () => {
    const client = new ConsoleClient(vigil);
    const answer = await client.signIn();
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get('location'), '/admin');
    const cookie = answer.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^vigil_admin_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\/admin/);
    assert.doesNotMatch(cookie, /Secure/);
    const { text, csrf } = await client.page();
    assert.match(text, /<h2 id="announcements-heading">/);
    assert.match(csrf, /^[A-Za-z0-9_-]{43}$/);

    const proxied = await client.post(
      '/admin/sign-in',
      { token: 'manager-secret' },
      {
        Origin: 'https://status.example.com',
        'X-Forwarded-Proto': 'https',
      },
    );
    assert.equal(proxied.status, 303);
    assert.match(proxied.headers.get('set-cookie') ?? '', /; Secure/);
    // A new sign-in gets a new id.
    assert.notEqual(proxied.headers.get('set-cookie')?.split(';')[0], client.cookie);
  });

  test('a wrong token is 403 without a cookie; past the limit the address waits, right token or not', async () => {
    const client = new ConsoleClient(vigil);
    for (const token of ['wrong', 'reporter-secret', '']) {
      const answer = await client.signIn(token);
      assert.equal(answer.status, 403, token);
      assert.equal(answer.headers.get('set-cookie'), null);
      assert.match(answer.text, /role="alert"[^>]*>Wrong token/);
    }
    const refused = await client.signIn();
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal(refused.headers.get('set-cookie'), null);
    // The manager API shares the limit: the same address is refused there too.
    const api = await fetch(`${vigil.url}/manager/announcements`, {
      headers: { Authorization: `Basic ${Buffer.from(':manager-secret').toString('base64')}` },
    });
    assert.equal(api.status, 429);
  });
});

describe('admin console forms', () => {
  let server: Awaited<ReturnType<typeof startConsoleVigil>>;
  let vigil: RunningVigil;
  const client = () => new ConsoleClient(vigil);
  let signedIn: ConsoleClient;

  before(async () => {
    server = await startConsoleVigil();
    vigil = server.vigil;
    signedIn = client();
    await signedIn.signIn();
  });
  after(() => server.stop());

  test('a sign-in from another site, or with no Origin or Referer, is refused', async () => {
    const outsider = client();
    const sources: Array<Record<string, string>> = [
      { Origin: 'http://attacker.example' },
      { Origin: 'null' },
      {},
    ];
    for (const headers of sources) {
      const answer = await outsider.post('/admin/sign-in', { token: 'manager-secret' }, headers);
      assert.equal(answer.status, 403, JSON.stringify(headers));
      assert.equal(answer.headers.get('set-cookie'), null);
      assert.match(answer.text, /CSRF/);
    }
  });

  test('posts without the right Origin or synchronizer token are refused and change nothing', async () => {
    const { csrf } = await signedIn.page();
    const fields = { title: 'Forged', text: 'x' };
    const refusals: Array<[string, Record<string, string>, Record<string, string>]> = [
      ['no token', fields, { Origin: signedIn.origin }],
      // The last character changed, whatever it was (a fixed 'A' matched one token in 64).
      [
        'wrong token',
        { ...fields, csrf: `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}` },
        { Origin: signedIn.origin },
      ],
      ['another site', { ...fields, csrf }, { Origin: 'http://attacker.example' }],
      ['another port', { ...fields, csrf }, { Origin: 'http://127.0.0.1:1' }],
      [
        'https without a proxy saying so',
        { ...fields, csrf },
        { Origin: signedIn.origin.replace('http:', 'https:') },
      ],
      ['no Origin nor Referer', { ...fields, csrf }, {}],
      ['a foreign Referer', { ...fields, csrf }, { Referer: 'http://attacker.example/admin' }],
    ];
    for (const [what, body, headers] of refusals) {
      const answer = await signedIn.post('/admin/announcements', body, headers);
      assert.equal(answer.status, 403, what);
      assert.match(answer.text, /CSRF check failed/, what);
    }
    const json = await signedIn.request('/admin/announcements', {
      method: 'POST',
      headers: { Origin: signedIn.origin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...fields, csrf }),
    });
    assert.equal(json.status, 400);
    for (const path of ['/admin/ignore-window', '/admin/ignore-window/clear', '/admin/sign-out']) {
      assert.equal((await signedIn.post(path, { seconds: '60' })).status, 403, path);
    }
    assert.deepEqual(await announcementTitles(vigil), []);
    assert.deepEqual(await managerGet(vigil, '/manager/prober/alerts/ignored'), { reminders_seconds: null });
    // The session survived the refused sign-out; a same-origin Referer (no Origin) is accepted.
    const viaReferer = await signedIn.post(
      '/admin/announcements',
      { ...fields, title: 'Via Referer', csrf },
      { Referer: `${signedIn.origin}/admin` },
    );
    assert.equal(viaReferer.status, 303);
    assert.deepEqual(await announcementTitles(vigil), ['Via Referer']);
    // Behind a proxy that terminates TLS, the browser's origin is https.
    const proxied = await signedIn.post(
      '/admin/announcements',
      { ...fields, title: 'Via proxy', csrf },
      { Origin: signedIn.origin.replace('http:', 'https:'), 'X-Forwarded-Proto': 'https' },
    );
    assert.equal(proxied.status, 303);
    assert.deepEqual(await announcementTitles(vigil), ['Via Referer', 'Via proxy']);
    await removeAll(signedIn);
  });

  test('posts without a live session are 401 with the sign-in page, and change nothing', async () => {
    const stranger = client();
    stranger.cookie = 'vigil_admin_session=made-up';
    const { csrf } = await signedIn.page();
    const answer = await stranger.post('/admin/announcements', { csrf, title: 'Nope', text: 'x' });
    assert.equal(answer.status, 401);
    assert.match(answer.text, /session has ended/);
    assert.deepEqual(await announcementTitles(vigil), []);
  });

  test('announcements: publish, refuse a bad one keeping the draft, edit, delete', async () => {
    const published = await signedIn.submit('/admin/announcements', {
      title: 'Upgrade <tonight>',
      text: 'Line one\r\nLine two',
      severity: 'warning',
      expires_at: '2099-01-01T00:00:00Z',
    });
    assert.equal(published.status, 303);
    const page = await signedIn.page();
    assert.match(page.text, /role="status">Published “Upgrade &lt;tonight&gt;”/);
    assert.doesNotMatch(page.text, /<tonight>/);
    // The notice is shown once.
    assert.doesNotMatch((await signedIn.page()).text, /role="status"/);
    const [listed] = (await managerGet(vigil, '/manager/announcements')) as Array<{
      id: string;
      title: string;
    }>;
    assert.equal(listed?.title, 'Upgrade <tonight>');
    const id = listed?.id ?? '';

    const refused = await signedIn.submit('/admin/announcements', {
      title: 'Kept "draft"',
      text: '',
      severity: 'info',
      expires_at: '',
    });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /role="alert">text must have at least 1 character/);
    assert.match(refused.text, /id="new-title"[^>]*value="Kept &quot;draft&quot;"/);
    const badExpiry = await signedIn.submit('/admin/announcements', {
      title: 'T',
      text: 'x',
      expires_at: 'tomorrow',
    });
    assert.equal(badExpiry.status, 400);
    assert.match(badExpiry.text, /expires_at must be an RFC 3339 time/);
    const badSeverity = await signedIn.submit('/admin/announcements', {
      title: 'T',
      text: 'x',
      severity: 'loud',
    });
    assert.equal(badSeverity.status, 400);
    assert.equal((await announcementTitles(vigil)).length, 1);

    const edited = await signedIn.submit(`/admin/announcements/${id}`, {
      title: 'Upgrade done',
      text: 'All good',
      severity: '',
      expires_at: '',
    });
    assert.equal(edited.status, 303);
    assert.deepEqual(await managerGet(vigil, '/manager/announcements'), [{ id, title: 'Upgrade done' }]);
    assert.match((await signedIn.page()).text, /Saved “Upgrade done”/);
    const ghost = await signedIn.submit('/admin/announcements/4a1c7d7e-8c07-4a27-9b4e-3f2b0f3f5a11', {
      title: 'Ghost',
      text: 'x',
    });
    assert.equal(ghost.status, 404);

    const deleted = await signedIn.submit(`/admin/announcements/${id}/delete`);
    assert.equal(deleted.status, 303);
    assert.deepEqual(await announcementTitles(vigil), []);
    assert.equal((await signedIn.submit(`/admin/announcements/${id}/delete`)).status, 404);
  });

  test('maintenance: schedule a window over services and nodes, refuse bad ones keeping the choices, edit, delete', async () => {
    const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
    const window = (fields: Record<string, string | string[]>) => {
      return {
        title: 'Router swap',
        text: 'Line one\r\nLine two',
        starts_at: inMinutes(-1),
        ends_at: inMinutes(60),
        ...fields,
      };
    };
    const post = async (fields: Record<string, string | string[]>, path = '/admin/maintenance') => {
      const { csrf } = await signedIn.page();
      const body = new URLSearchParams({ csrf });
      for (const [name, value] of Object.entries(window(fields))) {
        for (const each of [value].flat()) body.append(name, each);
      }
      return signedIn.request(path, {
        method: 'POST',
        headers: { 'Content-Type': FORM, Origin: signedIn.origin },
        body: body.toString(),
      });
    };
    const listed = async () =>
      (await managerGet(vigil, '/manager/maintenances')) as Array<{
        id: string;
        title: string;
        text: string;
        services: string[];
        nodes: string[];
        state: string;
      }>;

    const refusals: Array<[Record<string, string | string[]>, RegExp]> = [
      [{ services: 'web', ends_at: inMinutes(-2) }, /ends_at must be after starts_at/],
      [{ services: 'web', starts_at: 'now' }, /starts_at must be an RFC 3339 time/],
      [{}, /give at least one of services and nodes/],
      [{ services: 'nowhere' }, /services\/0 is not a configured service/],
      [{ nodes: ['web:app', 'web:nothing'] }, /nodes\/1 is not a configured node/],
      [{ services: 'web', title: '' }, /title must have at least 1 character/],
    ];
    for (const [fields, problem] of refusals) {
      const answer = await post(fields);
      assert.equal(answer.status, 400, JSON.stringify(fields));
      assert.match(answer.text, problem);
    }
    const kept = await post({ nodes: ['relay:lan', 'web:nothing'] });
    assert.match(kept.text, /<input type="checkbox" id="[^"]+" name="nodes" value="relay:lan" checked>/);
    assert.match(kept.text, /id="maintenance-title"[^>]*value="Router swap"/);
    assert.deepEqual(await listed(), []);

    const scheduled = await post({ services: 'web', nodes: ['relay:lan', 'relay:lan'] });
    assert.equal(scheduled.status, 303);
    const [stored] = await listed();
    assert.deepEqual(
      [stored?.title, stored?.text, stored?.services, stored?.nodes, stored?.state],
      ['Router swap', 'Line one\nLine two', ['web'], ['relay:lan'], 'active'],
    );
    const page = (await signedIn.page()).text;
    assert.match(page, /Scheduled “Router swap”/);
    assert.match(
      page,
      /<h3>Router swap<\/h3><p class="meta">in progress, [^<]* · services: web · nodes: relay:lan<\/p>/,
    );

    const id = stored?.id ?? '';
    const refusedEdit = await post({ services: 'web', ends_at: inMinutes(-2) }, `/admin/maintenance/${id}`);
    assert.equal(refusedEdit.status, 400);
    assert.match(refusedEdit.text, /ends_at must be after starts_at/);
    assert.equal((await listed())[0]?.title, 'Router swap', 'a refused edit changes nothing');
    const edited = await post(
      { title: 'Router swap, longer', nodes: 'web:app', ends_at: inMinutes(120) },
      `/admin/maintenance/${id}`,
    );
    assert.equal(edited.status, 303);
    const [changed] = await listed();
    assert.deepEqual(
      [changed?.id, changed?.title, changed?.services, changed?.nodes],
      [id, 'Router swap, longer', [], ['web:app']],
    );
    assert.match((await signedIn.page()).text, /Saved “Router swap, longer”/);
    assert.equal(
      (await post({ services: 'web' }, '/admin/maintenance/00000000-0000-4000-8000-000000000000')).status,
      404,
    );

    assert.equal((await signedIn.submit(`/admin/maintenance/${id}/delete`)).status, 303);
    assert.deepEqual(await listed(), []);
    assert.equal((await signedIn.submit(`/admin/maintenance/${id}/delete`)).status, 404);
  });

  test('incidents: declare one naming services and nodes, refuse bad ones keeping the draft, post updates', async () => {
    const listed = async () =>
      ((await managerGet(vigil, '/manager/incidents')) as { incidents: ListedIncident[] }).incidents;
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [
        { title: 'Outage', status: 'panicking', message: 'x' },
        /status must be one of investigating, identified/,
      ],
      [{ title: '', status: 'identified', message: 'x' }, /title must have at least 1 character/],
      [{ title: 'Outage', status: 'identified', message: '' }, /message must have at least 1 character/],
      [
        { title: 'Outage "big"', status: 'identified', message: 'x', services: 'nowhere' },
        /services\/0 is not a configured service/,
      ],
    ];
    for (const [fields, problem] of refusals) {
      const answer = await signedIn.submit('/admin/incidents', fields);
      assert.equal(answer.status, 400, JSON.stringify(fields));
      assert.match(answer.text, problem);
    }
    const kept = await signedIn.submit('/admin/incidents', {
      title: 'Kept <draft>',
      status: 'monitoring',
      message: '',
    });
    assert.match(kept.text, /id="incident-title"[^>]*value="Kept &lt;draft&gt;"/);
    assert.match(
      kept.text,
      /<select id="incident-status" name="status">.*<option value="monitoring" selected>/s,
    );
    assert.deepEqual(await listed(), []);

    const declared = await signedIn.submit('/admin/incidents', {
      title: 'Checkout errors',
      status: 'identified',
      message: 'Payments fail\r\nfor some.',
      services: 'web',
    });
    assert.equal(declared.status, 303);
    const [incident] = await listed();
    assert.deepEqual(
      [incident?.title, incident?.status, incident?.services, incident?.updates[0]?.message],
      ['Checkout errors', 'identified', ['web'], 'Payments fail\nfor some.'],
    );
    const page = (await signedIn.page()).text;
    assert.match(page, /Declared “Checkout errors”/);
    assert.match(page, /<h3>Checkout errors<\/h3><p class="meta">identified · started [^<]* · 1 update<\/p>/);

    const id = incident?.id ?? '';
    assert.equal(
      (await signedIn.submit(`/admin/incidents/${id}/update`, { status: 'monitoring', message: 'Fixed.' }))
        .status,
      303,
    );
    const bad = await signedIn.submit(`/admin/incidents/${id}/update`, { status: 'monitoring', message: '' });
    assert.equal(bad.status, 400);
    const ghost = await signedIn.submit('/admin/incidents/no-such-incident/update', {
      status: 'resolved',
      message: 'x',
    });
    assert.equal(ghost.status, 404);
    assert.equal(
      (await signedIn.submit(`/admin/incidents/${id}/update`, { status: 'resolved', message: 'Over.' }))
        .status,
      303,
    );
    const [resolved] = await listed();
    assert.deepEqual([resolved?.status, resolved?.active, resolved?.updates.length], ['resolved', false, 3]);
    assert.match((await signedIn.page()).text, /No incident is open\./);
  });

  test('the ignore window: set, refuse bad values, clear', async () => {
    assert.equal((await signedIn.submit('/admin/ignore-window', { seconds: '600' })).status, 303);
    const { reminders_seconds: left } = (await managerGet(vigil, '/manager/prober/alerts/ignored')) as {
      reminders_seconds: number;
    };
    assert.ok(left > 590 && left <= 600, `${left} s left`);
    assert.match((await signedIn.page()).text, /ignored for another \d+ s/);
    for (const seconds of ['0', '65536', '1.5', '-3', 'soon', '']) {
      const answer = await signedIn.submit('/admin/ignore-window', { seconds });
      assert.equal(answer.status, 400, seconds);
      assert.match(answer.text, /seconds must be a whole number from 1 to 65535/);
    }
    assert.equal((await signedIn.submit('/admin/ignore-window/clear')).status, 303);
    assert.deepEqual(await managerGet(vigil, '/manager/prober/alerts/ignored'), { reminders_seconds: null });
  });

  test('recent deliveries are listed newest first with target, state, attempts and the last error', async () => {
    const { text } = await signedIn.page();
    const rows = [...text.matchAll(/<tr><td><time[^>]*>[^<]*<\/time><\/td>(.*?)<\/tr>/g)].map(
      (match) => match[1],
    );
    assert.deepEqual(rows, [
      `<td>changed (dead)</td><td>${SEEDED_TARGETS.failed}</td><td>failed</td><td>2</td><td>HTTP 503</td>`,
      `<td>changed (dead)</td><td>${SEEDED_TARGETS.delivered}</td><td>delivered</td><td>1</td><td></td>`,
    ]);
  });

  test('signing out ends the session and deletes the cookie', async () => {
    const leaving = client();
    await leaving.signIn();
    const answer = await leaving.submit('/admin/sign-out');
    assert.equal(answer.status, 303);
    assert.match(answer.headers.get('set-cookie') ?? '', /^vigil_admin_session=; Max-Age=0;/);
    assert.match((await leaving.request('/admin')).text, /action="\/admin\/sign-in"/);
  });
});

test('without the manager services there is no console: /admin is 404', async () => {
  const server = await startTestServer(REPORTED_PROBES);
  try {
    const response = await fetch(`${server.url}/admin`);
    assert.equal(response.status, 404);
    const post = await fetch(`${server.url}/admin/sign-in`, { method: 'POST' });
    assert.equal(post.status, 404);
  } finally {
    await server.close();
  }
});

async function removeAll(client: ConsoleClient) {
  const { text } = await client.page();
  for (const [, action] of text.matchAll(/action="(\/admin\/announcements\/[^"]+\/delete)"/g)) {
    await client.submit(action ?? '');
  }
}
