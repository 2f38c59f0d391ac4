import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import type { FeedEntry, FeedSource } from '../../src/feed/entry.js';
import { emailChannel } from '../../src/notify/channels/email.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { EmailSignup } from '../../src/subscriptions/email-signup.js';
import { SubscriptionLinks } from '../../src/subscriptions/links.js';
import { smtpMailer } from '../../src/subscriptions/mailer.js';
import { FeedPublisher } from '../../src/subscriptions/publisher.js';
import { errorsOf, MINIMAL_CONFIG } from '../config/minimal-config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startSmtp } from '../helpers/smtp.js';
import { closedPort } from '../probes/loopback.js';

type Smtp = Awaited<ReturnType<typeof startSmtp>>;

const BRANDING = { page_title: 'Status', page_url: 'https://status.example.com/', company_name: 'Acme' };
const HOUR_MS = 3_600_000;

/** The `[subscriptions]` defaults with these keys changed. */
const subscriptionsConfig = (keys: Record<string, unknown>) =>
  configSchema.shape.subscriptions.parse({ email: true, ...keys });

describe('EmailSignup over a real store and SMTP server', () => {
  let smtp: Smtp;
  let store: Store;
  let clock: FakeClock;

  before(async () => {
    smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
  });
  after(() => smtp.close());

  async function signup(keys: Record<string, unknown> = {}, smtpPort = smtp.port) {
    clock = new FakeClock();
    store = await openStore({ engine: 'sqlite', path: ':memory:' });
    const email = emailChannel.schema.parse({
      to: 'ops@example.com',
      from: 'status@example.com',
      smtp_host: '127.0.0.1',
      smtp_port: smtpPort,
      smtp_encrypt: false,
    });
    return new EmailSignup({
      repository: store.subscriptions,
      links: new SubscriptionLinks(await store.subscriptions.signingKey()),
      mailer: smtpMailer({ email: () => email, fromName: () => 'Status', timeoutMs: 5000 }),
      clock,
      config: subscriptionsConfig(keys),
      branding: () => BRANDING,
    });
  }

  const confirmLink = (address: string) => {
    const mail = smtp.deliveries.filter((each) => each.rcptTo.includes(address)).at(-1);
    const url = new URL(
      /https:\/\/\S+\/subscribe\/confirm\S+/.exec(mail?.body ?? '')?.[0] ?? 'https://none.invalid/',
    );
    return { id: url.searchParams.get('id') ?? '', token: url.searchParams.get('token') ?? '' };
  };

  test('an address gets its daily number of confirmation mails, whichever clients ask', async () => {
    const email = await signup({ address_mails_per_day: 1 });
    const sent = smtp.deliveries.length;
    assert.equal((await email.subscribe('frank@example.org', '198.51.100.1')).status, 202);
    const again = await email.subscribe('frank@example.org', '198.51.100.2');
    assert.deepEqual(again, {
      status: 429,
      error: 'too many confirmation mails to this address today: try again tomorrow',
    });
    assert.equal(smtp.deliveries.length, sent + 1);
    clock.advance(24 * HOUR_MS);
    assert.equal((await email.subscribe('frank@example.org', '198.51.100.2')).status, 202);
    assert.equal(smtp.deliveries.length, sent + 2);
    await store.close();
  });

  test('a pending subscription expires: its link stops working and it is forgotten', async () => {
    const email = await signup({ confirm_within: 3600 });
    await email.subscribe('gina@example.org', '198.51.100.1');
    const { id, token } = confirmLink('gina@example.org');
    clock.advance(HOUR_MS);
    assert.equal(await email.confirm(id, token), 'unknown');
    await email.subscribe('hank@example.org', '198.51.100.1');
    assert.equal(await store.subscriptions.get(id), undefined);
    assert.deepEqual(
      (await store.subscriptions.list('mail')).map((each) => each.target),
      ['hank@example.org'],
    );
    await store.close();
  });

  test('confirming twice says so; an active address signing up again gets no mail', async () => {
    const email = await signup();
    await email.subscribe('ivy@example.org', '198.51.100.1');
    const { id, token } = confirmLink('ivy@example.org');
    assert.equal(await email.confirm(id, token), 'done');
    assert.equal(await email.confirm(id, token), 'already');
    const sent = smtp.deliveries.length;
    assert.equal((await email.subscribe('ivy@example.org', '198.51.100.1')).status, 202);
    assert.equal(smtp.deliveries.length, sent);
    await store.close();
  });

  test('email_max bounds the stored subscriptions', async () => {
    const email = await signup({ email_max: 1 });
    assert.equal((await email.subscribe('jay@example.org', '198.51.100.1')).status, 202);
    assert.deepEqual(await email.subscribe('kim@example.org', '198.51.100.1'), {
      status: 503,
      error: 'this status page takes no more email subscriptions',
    });
    await store.close();
  });

  test('an unreachable SMTP server is a 502, and the sign-up can be retried', async () => {
    const email = await signup({}, await closedPort());
    assert.deepEqual(await email.subscribe('lee@example.org', '198.51.100.1'), {
      status: 502,
      error: 'the confirmation mail could not be sent: try again later',
    });
    await store.close();
  });
});

describe('FeedPublisher', () => {
  const entry = (id: string, updatedMs: number): FeedEntry => ({
    id: `urn:uuid:${id}`,
    kind: 'announcement',
    title: id,
    text: '',
    publishedMs: updatedMs,
    updatedMs,
  });

  test('tells of what is new since the first start once, each change once, and never old news', async () => {
    const clock = new FakeClock();
    const store = await openStore({ engine: 'sqlite', path: ':memory:' });
    const listed: FeedEntry[] = [entry('old', clock.now() - HOUR_MS)];
    const source: FeedSource = { entries: async () => listed };
    const told: string[] = [];
    const publisher = (name: string) =>
      new FeedPublisher({
        sources: [source],
        published: store.publishedEntries,
        clock,
        intervalMs: 60_000,
        deliver: async (entries) => {
          told.push(...entries.map((each) => `${name}:${each.title}@${each.updatedMs - clock.now()}`));
        },
        onError: (error) => assert.fail(String(error)),
      });
    const first = publisher('first');
    // Two instances on one database: whichever claims an entry tells of it, the other never.
    const second = publisher('second');
    await first.start();
    await second.start();
    listed.push(entry('new', clock.now()), entry('stale', clock.now() - 25 * HOUR_MS), {
      ...entry('quiet', clock.now()),
      quiet: true,
    });
    await first.trigger();
    await second.trigger();
    listed[1] = entry('new', clock.now() + 1000);
    clock.advance(60_000);
    await first.trigger();
    await second.trigger();
    await Promise.all([first.stop(), second.stop()]);
    assert.deepEqual(told, ['first:new@0', 'first:new@-59000']);
    await store.close();
  });
});

describe('[subscriptions] config', () => {
  test('email = true without [notify.email] is refused, naming the key', () => {
    assert.deepEqual(errorsOf(`${MINIMAL_CONFIG}\n[subscriptions]\nemail = true\n`), [
      'test.cfg: subscriptions.email: needs [notify.email]: its SMTP server sends the confirmation and notice mails',
    ]);
  });

  test('limits are bounded', () => {
    assert.match(
      errorsOf(`${MINIMAL_CONFIG}\n[subscriptions]\nclient_requests_per_hour = 0\n`).join('\n'),
      /subscriptions\.client_requests_per_hour: must be an integer from 1 to 1000, got 0/,
    );
  });
});
