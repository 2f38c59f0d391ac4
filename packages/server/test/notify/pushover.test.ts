import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pushoverChannel } from '../../src/notify/channels/pushover.js';
import {
  alert,
  build,
  DEAD,
  ESCALATED_ONCE,
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

const KEYS = ['user-key-a', 'user-key-b'];
const table = (baseUrl: string) => ({ app_token: 'secret-app-token', user_keys: KEYS, api_url: baseUrl });

const DEAD_HTML = `<u>Status:</u> <b><font color="#C4291C">DEAD</font></b>\n<u>Nodes:</u> ${NODES}\n<u>Time:</u> ${TIME}`;

function fields(user: string, message: string, priority?: '1'): Array<[string, string]> {
  return [
    ['token', 'secret-app-token'],
    ['user', user],
    ['title', 'Crisp Status'],
    ['message', message],
    ['html', '1'],
    ['url_title', 'Details on Crisp Status'],
    ['url', 'https://status.crisp.chat/'],
    ...(priority ? [['priority', priority] as [string, string]] : []),
  ];
}

describe('pushover: requests', () => {
  const capture = useCaptureServer();

  async function sent(alertToSend = DEAD) {
    const server = capture.server();
    await build(pushoverChannel, table(server.url)).send(alertToSend, running);
    assert.equal(server.requests.length, KEYS.length);
    return server.requests;
  }

  test('a change POSTs one HTML form per user key, normal priority', async () => {
    const requests = await sent(DEAD);
    for (const [index, user] of KEYS.entries()) {
      const request = requests[index];
      assert.ok(request);
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/1/messages.json');
      assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(request.headers.authorization, undefined);
      assert.deepEqual(formFields(request.body), fields(user, DEAD_HTML));
    }
  });

  test('startup opens with its note, with no priority', async () => {
    const [request] = await sent(STARTUP);
    assert.deepEqual(
      formFields(request?.body ?? ''),
      fields(
        'user-key-a',
        '<b><i>This is a startup alert.</i></b>\n\n' +
          `<u>Status:</u> <b><font color="#54A158">HEALTHY</font></b>\n<u>Nodes:</u> \n<u>Time:</u> ${TIME}`,
      ),
    );
  });

  test('a reminder without escalation is priority 1 for every key', async () => {
    const requests = await sent(REMINDER);
    const message = `<b><i>This is a reminder.</i></b>\n\n${DEAD_HTML}`;
    assert.deepEqual(formFields(requests[0]?.body ?? ''), fields('user-key-a', message, '1'));
    assert.deepEqual(formFields(requests[1]?.body ?? ''), fields('user-key-b', message, '1'));
  });

  test('the first escalated reminder raises the first key only', async () => {
    const requests = await sent(ESCALATED_ONCE);
    assert.equal(new URLSearchParams(requests[0]?.body).get('priority'), '1');
    assert.equal(new URLSearchParams(requests[1]?.body).has('priority'), false);
  });

  test('sick is amber; a test alert is marked; a recovery lists what came back, escaped', async () => {
    const messageOf = async (a = DEAD) => new URLSearchParams((await sent(a))[0]?.body).get('message') ?? '';
    assert.match(await messageOf(alert({ status: 'sick' })), /<font color="#D5A048">SICK<\/font>/);
    assert.match(await messageOf(alert({ ...DEAD, test: true })), /^\[TEST\] <u>Status:<\/u>/);
    assert.equal(
      await messageOf({ ...RECOVERED, recovered: ['web:api:https://api/?a=1&b=2'] }),
      `<u>Status:</u> <b><font color="#54A158">HEALTHY</font></b>\n<u>Nodes:</u> \n<u>Time:</u> ${TIME}` +
        '\n<u>Recovered:</u> web:api:https://api/?a=1&amp;b=2',
    );
  });

  test('a failing key fails the attempt after every key was tried, naming it by position', async () => {
    const server = capture.server();
    server.reply((request) =>
      new URLSearchParams(request.body).get('user') === 'user-key-b'
        ? { status: 400, body: '{"user":"invalid","errors":["user identifier is invalid"],"status":0}' }
        : { status: 200, body: '{"status":1}' },
    );
    await assert.rejects(
      build(pushoverChannel, table(server.url)).send(DEAD, running),
      /failed for 1 of 2 targets: user_keys\[1\]: .*HTTP 400: \{"user":"invalid"/,
    );
    assert.equal(server.requests.length, 2);
  });
});

describe('pushover: schema', () => {
  test("a table with the keys of Vigil's sample parses, with the real API as default base", () => {
    assert.deepEqual(pushoverChannel.schema.parse(sampleTable('pushover')), {
      app_token: 'fixture-pushover-app',
      user_keys: ['fixture-user-one', 'fixture-user-two'],
      reminders_only: false,
      api_url: 'https://api.pushover.net',
    });
  });
});

transportContract(pushoverChannel, table);
