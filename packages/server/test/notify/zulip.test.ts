import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { zulipChannel } from '../../src/notify/channels/zulip.js';
import {
  alert,
  DEAD,
  formFields,
  NODES,
  RECOVERED,
  REMINDER,
  STARTUP,
  sampleTable,
  sendOne,
  TIME,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const table = (baseUrl: string, apiPath = '/api/v1/') => ({
  bot_email: 'vigil-bot@example.zulipchat.com',
  bot_api_key: 'secret-key',
  channel: 'ops alerts',
  api_url: `${baseUrl}${apiPath}`,
});
const AUTH = `Basic ${Buffer.from('vigil-bot@example.zulipchat.com:secret-key').toString('base64')}`;
const TAIL = `\n **Time**: ${TIME}\n **Page**: https://status.crisp.chat/`;

describe('zulip: requests', () => {
  const capture = useCaptureServer();

  const sent = (alertToSend = DEAD, apiPath?: string) =>
    sendOne(capture, zulipChannel, (url) => table(url, apiPath), alertToSend);

  const content = async (alertToSend = DEAD) =>
    new URLSearchParams((await sent(alertToSend)).body).get('content');

  test('a change POSTs a stream message form to <api_url>messages with Basic auth', async () => {
    const request = await sent(DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/api/v1/messages');
    assert.equal(request.headers.authorization, AUTH);
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(formFields(request.body), [
      ['type', 'stream'],
      ['to', 'ops alerts'],
      ['topic', 'Vigil status'],
      ['content', `Status changed to:  *dead* :boom:.\n **Nodes**: *${NODES}*.\n **Status**: Dead${TAIL}`],
    ]);
  });

  test('startup, byte for byte as serde_urlencoded writes it (double space kept)', async () => {
    const request = await sent(STARTUP);
    assert.equal(
      request.body,
      'type=stream&to=ops+alerts&topic=Vigil+status&content=' +
        'Status+started+up%2C+as%3A++*healthy*+%3Acheck_mark%3A.' +
        '%0A+**Status**%3A+Healthy%0A+**Time**%3A+08%3A58%3A28+UTC%2B00%3A00' +
        '%0A+**Page**%3A+https%3A%2F%2Fstatus.crisp.chat%2F',
    );
  });

  test('reminder and sick wording', async () => {
    assert.equal(
      await content(REMINDER),
      `Status is still:  *dead* :boom:.\n **Nodes**: *${NODES}*.\n **Status**: Dead${TAIL}`,
    );
    assert.equal(
      await content(alert({ status: 'sick' })),
      `Status changed to:  *sick* :sick:.\n **Status**: Sick${TAIL}`,
    );
  });

  test('a test alert is marked; a recovery lists what came back', async () => {
    assert.match(
      (await content(alert({ ...DEAD, test: true }))) ?? '',
      /^\[TEST\] Status changed to: {2}\*dead\*/,
    );
    assert.equal(
      await content(RECOVERED),
      'Status changed to:  *healthy* :check_mark:.' +
        '\n **Recovered**: *web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80, web:router:icmp://edge-2*.' +
        `\n **Status**: Healthy${TAIL}`,
    );
  });

  test('api_url without a trailing slash loses its last segment, as URL resolution (and Vigil) does', async () => {
    assert.equal((await sent(DEAD, '/api/v1')).url, '/api/messages');
  });
});

describe('zulip: schema', () => {
  test("a table with the keys of Vigil's sample parses with reminders_only false", () => {
    assert.deepEqual(zulipChannel.schema.parse(sampleTable('zulip')), {
      bot_email: 'status-bot@harbour.example',
      bot_api_key: 'fixture-zulip-key',
      channel: 'operations',
      api_url: 'https://chat.harbour.example/api/v1/',
      reminders_only: false,
    });
  });
});

transportContract(zulipChannel, (baseUrl) => table(baseUrl));
