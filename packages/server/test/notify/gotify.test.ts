import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gotifyChannel } from '../../src/notify/channels/gotify.js';
import {
  alert,
  DEAD,
  DEAD_REPLICAS,
  ESCALATED_ONCE,
  formFields,
  RECOVERED,
  REMINDER,
  STARTUP,
  sampleTable,
  sendOne,
  TIME,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const table = (appUrl: string) => ({ app_url: appUrl, app_token: 'secret-app-token' });
const DEAD_TEXT = `Status: DEAD\nNodes:\n${DEAD_REPLICAS.join('\n')}\nTime: ${TIME}`;

describe('gotify: requests', () => {
  const capture = useCaptureServer();

  const sent = (alertToSend = DEAD, path = '') =>
    sendOne(capture, gotifyChannel, (url) => table(`${url}${path}`), alertToSend);

  test('a change POSTs a form to <app_url>message?token=, replicas one per line, no priority', async () => {
    // A root URL without its slash gains one, as Vigil's parsed URL does.
    const request = await sent(DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/message?token=secret-app-token');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(formFields(request.body), [
      ['title', 'Crisp Status'],
      ['message', DEAD_TEXT],
    ]);
  });

  test('startup opens with its note and has an empty node list', async () => {
    assert.deepEqual(formFields((await sent(STARTUP)).body), [
      ['title', 'Crisp Status'],
      ['message', `This is a startup alert.\n\nStatus: HEALTHY\nNodes:\n\nTime: ${TIME}`],
    ]);
  });

  test('every reminder is priority 10, escalated or not', async () => {
    const expected = [
      ['title', 'Crisp Status'],
      ['message', `This is a reminder.\n\n${DEAD_TEXT}`],
      ['priority', '10'],
    ];
    assert.deepEqual(formFields((await sent(REMINDER)).body), expected);
    assert.deepEqual(formFields((await sent(ESCALATED_ONCE)).body), expected);
  });

  test('app_url paths are kept as Vigil concatenates them, broken one included', async () => {
    assert.equal((await sent(DEAD, '/gotify/')).path, '/gotify/message');
    assert.equal((await sent(DEAD, '/gotify')).path, '/gotifymessage');
  });

  test('a test alert is marked; a recovery lists what came back', async () => {
    const messageOf = async (a = DEAD) => new URLSearchParams((await sent(a)).body).get('message') ?? '';
    assert.match(await messageOf(alert({ ...DEAD, test: true })), /^\[TEST\] Status: DEAD\n/);
    assert.equal(
      await messageOf(RECOVERED),
      `Status: HEALTHY\nNodes:\n\nTime: ${TIME}\n` +
        'Recovered: web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80, web:router:icmp://edge-2',
    );
  });
});

describe('gotify: schema', () => {
  test("a table with the keys of Vigil's sample parses with reminders_only false", () => {
    assert.deepEqual(gotifyChannel.schema.parse(sampleTable('gotify')), {
      app_url: 'https://gotify.harbour.example',
      app_token: 'fixture-gotify-token',
      reminders_only: false,
    });
  });
});

transportContract(gotifyChannel, table);
