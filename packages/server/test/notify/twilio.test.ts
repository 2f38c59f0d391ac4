import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { truncateUtf8, twilioChannel } from '../../src/notify/channels/twilio.js';
import {
  alert,
  build,
  DEAD,
  formFields,
  NODES,
  RECOVERED,
  REMINDER,
  running,
  STARTUP,
  sampleTable,
  TIME,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const table = (apiUrl: string) => ({
  to: ['+33600000001', '+33700000002'],
  service_sid: 'MG-service',
  account_sid: 'AC-secret-sid',
  auth_token: 'auth-token',
  api_url: apiUrl,
});

const MESSAGES_PATH = '/2010-04-01/Accounts/AC-secret-sid/Messages.json';
const AUTH = `Basic ${Buffer.from('AC-secret-sid:auth-token').toString('base64')}`;

describe('twilio: requests', () => {
  const capture = useCaptureServer();

  async function sent(alertToSend = DEAD) {
    const server = capture.server();
    await build(twilioChannel, table(server.url)).send(alertToSend, running);
    return server.requests;
  }

  test('a change POSTs one form per number, with Basic auth and Vigil SMS text', async () => {
    const requests = await sent(DEAD);
    assert.equal(requests.length, 2);
    const body = `Crisp Status\n\nStatus: Dead\nNodes: ${NODES}\nTime: ${TIME}\n`;
    for (const [index, to] of ['+33600000001', '+33700000002'].entries()) {
      const request = requests[index];
      assert.ok(request);
      assert.equal(request.method, 'POST');
      assert.equal(request.url, MESSAGES_PATH);
      assert.equal(request.headers.authorization, AUTH);
      assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.deepEqual(formFields(request.body), [
        ['MessagingServiceSid', 'MG-service'],
        ['To', to],
        ['Body', body],
      ]);
    }
  });

  test('startup and reminder texts carry their prefix; nodes are empty on startup', async () => {
    assert.deepEqual(formFields((await sent(STARTUP))[0]?.body ?? '').at(-1), [
      'Body',
      `Startup alert for: Crisp Status\n\nStatus: Healthy\nNodes: \nTime: ${TIME}\n`,
    ]);
    assert.deepEqual(formFields((await sent(REMINDER))[0]?.body ?? '').at(-1), [
      'Body',
      `Reminder for: Crisp Status\n\nStatus: Dead\nNodes: ${NODES}\nTime: ${TIME}\n`,
    ]);
  });

  test('a test alert is marked, a recovery lists what came back', async () => {
    const [testRequest] = await sent(alert({ ...DEAD, test: true }));
    assert.match(formFields(testRequest?.body ?? '').at(-1)?.[1] ?? '', /^\[TEST\] Crisp Status\n/);
    const [recovery] = await sent(RECOVERED);
    assert.equal(
      formFields(recovery?.body ?? '').at(-1)?.[1],
      `Crisp Status\n\nStatus: Healthy\nNodes: \nTime: ${TIME}\n` +
        'Recovered: web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80, web:router:icmp://edge-2\n',
    );
  });

  test('a long text is cut to 996 bytes plus "[..]"', async () => {
    const replicas = Array.from(
      { length: 40 },
      (_, i) => `web:load-balancer:tcp://edge-${i}.pool.net.crisp.chat:80`,
    );
    const [request] = await sent(alert({ replicas }));
    const body = formFields(request?.body ?? '').at(-1)?.[1] ?? '';
    assert.equal(Buffer.byteLength(body), 1000);
    assert.ok(body.endsWith('[..]'));
  });

  test('one failing number fails the attempt after both were tried, naming it', async () => {
    const server = capture.server();
    server.reply((request) =>
      new URLSearchParams(request.body).get('To') === '+33600000001'
        ? { status: 400, body: 'bad number' }
        : { status: 201 },
    );
    await assert.rejects(
      build(twilioChannel, table(server.url)).send(DEAD, running),
      /^DeliveryError: failed for 1 of 2 targets: to \+33600000001: http:\/\/127\.0\.0\.1:\d+ answered HTTP 400: bad number$/,
    );
    assert.equal(server.requests.length, 2);
  });
});

describe('twilio: truncation', () => {
  test('up to 1000 bytes the text is kept whole', () => {
    const text = 'a'.repeat(1000);
    assert.equal(truncateUtf8(text), text);
  });

  test('over 1000 bytes it keeps 996 bytes and appends "[..]"', () => {
    assert.equal(truncateUtf8('a'.repeat(1001)), `${'a'.repeat(996)}[..]`);
  });

  test('it never splits a UTF-8 character (Vigil would panic there)', () => {
    // 995 ASCII bytes, then a 3-byte "✅" straddling the 996-byte cut.
    const cut = truncateUtf8(`${'a'.repeat(995)}\u2705${'b'.repeat(10)}`);
    assert.equal(cut, `${'a'.repeat(995)}[..]`);
    assert.ok(Buffer.byteLength(cut) <= 1000);
    // A character ending exactly at the cut is kept.
    assert.equal(truncateUtf8(`${'a'.repeat(993)}\u2705${'b'.repeat(10)}`), `${'a'.repeat(993)}\u2705[..]`);
  });
});

describe('twilio: schema', () => {
  test("a table with the keys of Vigil's sample parses, with the real API as default base", () => {
    assert.deepEqual(twilioChannel.schema.parse(sampleTable('twilio')), {
      to: ['+15550100001', '+15550100002'],
      service_sid: 'fixture-service-sid',
      account_sid: 'fixture-account-sid',
      auth_token: 'fixture-auth-token',
      reminders_only: true,
      api_url: 'https://api.twilio.com',
    });
  });

  test('reminders_only defaults to false; missing keys are rejected', () => {
    const { reminders_only: _, ...withoutFilter } = sampleTable('twilio');
    assert.equal(twilioChannel.schema.parse(withoutFilter).reminders_only, false);
    assert.equal(twilioChannel.schema.safeParse({ to: [] }).success, false);
  });
});

transportContract(twilioChannel, table);
