import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningVigil } from '../../src/main.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { basicAuth } from '../helpers/server.js';
import { type Delivery, startSmtp } from '../helpers/smtp.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES, startStoredVigil } from '../helpers/store-vigil.js';
import { startFullVigil, waitFor } from '../helpers/vigil.js';
import { subscriptionTables } from './tables.js';

type Smtp = Awaited<ReturnType<typeof startSmtp>>;

const PAGE_ORIGIN = 'https://status.example.com';
const MANAGER = basicAuth('manager-secret');

/** A page URL in a mail, sent to the running server instead (the config's page_url is not served). */
function local(vigil: RunningVigil, url: string): string {
  assert.ok(url.startsWith(`${PAGE_ORIGIN}/`), url);
  return vigil.url + url.slice(PAGE_ORIGIN.length);
}

function linkIn(mail: Delivery, path: string): string {
  const found = new RegExp(`${PAGE_ORIGIN}/${path}\\?id=[0-9a-f-]{36}&token=[\\w-]+`).exec(mail.body);
  assert.ok(found, `no ${path} link in:\n${mail.body}`);
  return found[0];
}

const mailsTo = (smtp: Smtp, address: string) =>
  smtp.deliveries.filter((mail) => mail.rcptTo.includes(address));

function subscribe(vigil: RunningVigil, email: string) {
  return fetch(`${vigil.url}/subscribe`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  });
}

async function announce(vigil: RunningVigil, title: string, text = 'Details follow.') {
  const response = await fetch(`${vigil.url}/manager/announcement`, {
    method: 'POST',
    headers: { Authorization: MANAGER, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title, text }),
  });
  assert.equal(response.status, 200);
}

describeEachEngine('email subscription, double opt-in, end to end on a real SMTP server', (engine) => {
  let smtp: Smtp;
  let vigil: RunningVigil;

  before(async () => {
    smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
    vigil = await startStoredVigil(await engine.freshLocation(), undefined, subscriptionTables(smtp.port));
  });
  after(async () => {
    await vigil.stop();
    await smtp.close();
  });

  test('subscribe → confirm → notices → one-click unsubscribe → no more mails', async () => {
    // Alice signs up with the form, Bob with JSON, Carol never confirms.
    const form = await fetch(`${vigil.url}/subscribe`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'alice@Example.ORG' }).toString(),
    });
    assert.equal(form.status, 202);
    assert.match(form.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await form.text(), /confirmation mail is on its way/);
    const json = await subscribe(vigil, 'bob@example.org');
    assert.equal(json.status, 202);
    assert.equal(((await json.json()) as { status: string }).status, 'pending');
    assert.equal((await subscribe(vigil, 'carol@example.org')).status, 202);

    // The domain is lowercased; each confirmation goes to its address alone.
    await waitFor('three confirmation mails', () => smtp.deliveries.length === 3);
    const [toAlice] = mailsTo(smtp, 'alice@example.org');
    assert.ok(toAlice);
    assert.deepEqual(toAlice.rcptTo, ['alice@example.org']);
    assert.equal(toAlice.mailFrom, 'status@example.com');
    assert.equal(toAlice.headers.get('subject'), 'Confirm your subscription to Test Status');
    assert.equal(toAlice.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.equal(toAlice.headers.get('list-unsubscribe'), `<${linkIn(toAlice, 'unsubscribe')}>`);
    // Nothing the subscriber typed is in the mail, not even the address as typed.
    assert.doesNotMatch(toAlice.body, /alice|Example\.ORG/);

    // Following the link shows a button (a scanner fetching links confirms nothing); the POST confirms.
    for (const address of ['alice@example.org', 'bob@example.org']) {
      const [mail] = mailsTo(smtp, address);
      assert.ok(mail);
      const link = local(vigil, linkIn(mail, 'subscribe/confirm'));
      const shown = await fetch(link);
      assert.equal(shown.status, 200);
      const page = await shown.text();
      assert.match(
        page,
        /<form method="post"><button type="submit">Confirm my subscription<\/button><\/form>/,
      );
      assert.match(shown.headers.get('content-security-policy') ?? '', /form-action 'self'/);
      const confirmed = await fetch(link, { method: 'POST' });
      assert.equal(confirmed.status, 200);
      assert.match(await confirmed.text(), /Your subscription is confirmed/);
    }

    // An announcement reaches the confirmed subscribers, not Carol.
    await announce(vigil, 'Database upgrade', 'Tonight at 22:00 UTC.');
    await waitFor('the notice to Bob', () => mailsTo(smtp, 'bob@example.org').length === 2);
    const notice = mailsTo(smtp, 'alice@example.org')[1];
    assert.ok(notice);
    assert.equal(notice.headers.get('subject'), '[Test Status] Announcement: Database upgrade');
    assert.match(notice.body, /^Database upgrade\n\nTonight at 22:00 UTC\./);
    assert.equal(notice.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    const unsubscribeUrl = notice.headers.get('list-unsubscribe')?.slice(1, -1) ?? '';
    assert.equal(unsubscribeUrl, linkIn(notice, 'unsubscribe'));
    assert.equal(mailsTo(smtp, 'carol@example.org').length, 1);

    // RFC 8058 one-click: a POST of List-Unsubscribe=One-Click to the header's URL.
    const oneClick = await fetch(local(vigil, unsubscribeUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(oneClick.status, 200);
    assert.match(await oneClick.text(), /You are unsubscribed/);

    // Alice was mailed before Bob: once Bob has the next notice, Alice would have had hers.
    await announce(vigil, 'Upgrade done');
    await waitFor('the second notice to Bob', () => mailsTo(smtp, 'bob@example.org').length === 3);
    assert.equal(mailsTo(smtp, 'alice@example.org').length, 2);
    assert.equal(mailsTo(smtp, 'carol@example.org').length, 1);
  });

  test('a forged or reused link does nothing', async () => {
    const [toCarol] = mailsTo(smtp, 'carol@example.org');
    assert.ok(toCarol);
    const confirm = new URL(local(vigil, linkIn(toCarol, 'subscribe/confirm')));
    // The unsubscribe token does not confirm, and a token for another id is refused.
    const unsubscribeToken = new URL(linkIn(toCarol, 'unsubscribe')).searchParams.get('token') ?? '';
    const wrongPurpose = new URL(confirm);
    wrongPurpose.searchParams.set('token', unsubscribeToken);
    assert.equal((await fetch(wrongPurpose, { method: 'POST' })).status, 404);
    const otherId = new URL(confirm);
    otherId.searchParams.set('id', '00000000-0000-4000-8000-000000000000');
    assert.equal((await fetch(otherId, { method: 'POST' })).status, 404);
    const json = await fetch(otherId, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.deepEqual(await json.json(), { error: 'This link is unknown or has expired: subscribe again.' });
    // Carol is still pending: an announcement does not reach her.
    await announce(vigil, 'Third');
    await waitFor('the third notice to Bob', () => mailsTo(smtp, 'bob@example.org').length === 4);
    assert.equal(mailsTo(smtp, 'carol@example.org').length, 1);
  });
});

describe('email subscription: never an open relay', () => {
  let smtp: Smtp;
  let vigil: RunningVigil;
  let hooks: CaptureServer;

  before(async () => {
    smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
    hooks = await startCaptureServer();
    vigil = await startFullVigil(
      `${subscriptionTables(smtp.port, 'email = true\nclient_requests_per_hour = 4\naddress_mails_per_day = 1')}\n[probe]\n${REPORTED_PROBES}`,
    );
  });
  after(async () => {
    await vigil.stop();
    await smtp.close();
    await hooks.close();
  });

  test('addresses that are not one plain address are refused before anything is stored or sent', async () => {
    for (const email of ['a@example.org, b@example.org', 'a@example.org\r\nBcc: b@example.org']) {
      const response = await subscribe(vigil, email);
      assert.equal(response.status, 400, email);
      assert.match(((await response.json()) as { error: string }).error, /^email must be a plain address/);
    }
    const tooLong = await subscribe(vigil, `${'a'.repeat(65)}@example.org`);
    assert.equal(tooLong.status, 400);
    assert.equal(smtp.deliveries.length, 0);
  });

  test('each address gets one confirmation mail a day, and each client a budget of sign-ups an hour', async () => {
    // The three refused requests above count: this is the client's fourth and last of the hour.
    assert.equal((await subscribe(vigil, 'dave@example.org')).status, 202);
    await waitFor('the confirmation mail', () => smtp.deliveries.length === 1);
    // Another client asking again for Dave would get 429 for the address; this one is out of budget first.
    const refused = await subscribe(vigil, 'dave@example.org');
    assert.equal(refused.status, 429);
    assert.match(((await refused.json()) as { error: string }).error, /too many sign-up requests/);
    const other = await subscribe(vigil, 'erin@example.org');
    assert.equal(other.status, 429);
    assert.equal(smtp.deliveries.length, 1);
  });

  test('webhooks are added only through the manager API, and receive each new entry', async () => {
    const anonymous = await fetch(`${vigil.url}/manager/subscriptions/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: hooks.url }),
    });
    assert.equal(anonymous.status, 401);
    const add = (url: string) =>
      fetch(`${vigil.url}/manager/subscriptions/webhook`, {
        method: 'POST',
        headers: { Authorization: MANAGER, 'Content-Type': 'application/json' },
        body: JSON.stringify({ url }),
      });
    assert.equal((await add('ftp://example.org/')).status, 400);
    const added = await add(`${hooks.url}/hook/secret`);
    assert.equal(added.status, 200);
    const { id } = (await added.json()) as { id: string };
    assert.equal((await add(`${hooks.url}/hook/secret`)).status, 409);
    const listed = await fetch(`${vigil.url}/manager/subscriptions/webhooks`, {
      headers: { Authorization: MANAGER },
    });
    assert.deepEqual(
      ((await listed.json()) as { webhooks: Array<{ id: string; url: string }> }).webhooks.map(
        ({ id, url }) => ({ id, url }),
      ),
      [{ id, url: `${hooks.url}/hook/secret` }],
    );

    await announce(vigil, 'Webhook news <b>', 'Body & more');
    await hooks.waitFor(1);
    const [request] = hooks.requests;
    assert.ok(request);
    assert.equal(request.path, '/hook/secret');
    assert.equal(request.headers['content-type'], 'application/json');
    const payload = JSON.parse(request.body) as { event: string; entry: Record<string, string> };
    assert.equal(payload.event, 'feed.entry');
    assert.equal(payload.entry.kind, 'announcement');
    assert.equal(payload.entry.title, 'Webhook news <b>');
    assert.equal(payload.entry.text, 'Body & more');
    assert.match(payload.entry.id ?? '', /^urn:uuid:/);

    // An incident and each of its updates are news: one post each, under the same entry id.
    const manager = (path: string, body: unknown) =>
      fetch(`${vigil.url}${path}`, {
        method: 'POST',
        headers: { Authorization: MANAGER, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then((response) => response.json() as Promise<{ id: string }>);
    const incident = await manager('/manager/incident', { title: 'Checkout errors', message: 'Looking.' });
    await hooks.waitFor(2);
    await manager(`/manager/incident/${incident.id}/update`, { status: 'identified', message: 'Found.' });
    await hooks.waitFor(3);
    await manager(`/manager/incident/${incident.id}/update`, { status: 'resolved', message: 'Fixed.' });
    await hooks.waitFor(4);
    const incidentPosts = hooks.requests
      .slice(1)
      .map((each) => (JSON.parse(each.body) as { entry: { id: string; title: string } }).entry);
    assert.deepEqual(
      incidentPosts.map((entry) => entry.title),
      ['Investigating: Checkout errors', 'Identified: Checkout errors', 'Resolved: Checkout errors'],
    );
    assert.deepEqual(new Set(incidentPosts.map((entry) => entry.id)), new Set([`urn:uuid:${incident.id}`]));

    const removed = await fetch(`${vigil.url}/manager/subscriptions/webhook/${id}`, {
      method: 'DELETE',
      headers: { Authorization: MANAGER },
    });
    assert.equal(removed.status, 200);
    assert.equal(
      (
        await fetch(`${vigil.url}/manager/subscriptions/webhook/${id}`, {
          method: 'DELETE',
          headers: { Authorization: MANAGER },
        })
      ).status,
      404,
    );
  });
});

describe('email subscription is off unless enabled', () => {
  let vigil: RunningVigil;
  before(async () => {
    vigil = await startFullVigil(`[probe]\n${REPORTED_PROBES}`);
  });
  after(() => vigil.stop());

  test('the sign-up and link routes answer 404 with a clear error, the feed still works', async () => {
    for (const [method, path] of [
      ['GET', '/subscribe'],
      ['POST', '/subscribe'],
      ['GET', '/subscribe/confirm?id=x&token=y'],
      ['POST', '/unsubscribe?id=x&token=y'],
    ] as const) {
      const response = await fetch(`${vigil.url}${path}`, {
        method,
        ...(method === 'POST' && {
          headers: { 'Content-Type': 'application/json' },
          body: '{"email":"a@example.org"}',
        }),
      });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.deepEqual(await response.json(), {
        error: 'email subscriptions are not enabled on this status page',
      });
    }
    assert.equal((await fetch(`${vigil.url}/feed.atom`)).status, 200);
  });
});
