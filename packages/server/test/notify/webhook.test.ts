import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { webhookChannel } from '../../src/notify/channels/webhook.js';
import {
  alert,
  build,
  DEAD,
  DEAD_REPLICAS,
  RECOVERED,
  REMINDER,
  running,
  STARTUP,
  sampleTable,
  sendOne,
  TIME,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const table = (baseUrl: string) => ({ hook_url: `${baseUrl}/webhooks/secret-hook` });
const PAGE = { title: 'Crisp Status', url: 'https://status.crisp.chat/' };

describe('webhook: requests', () => {
  const capture = useCaptureServer();

  const sent = (alertToSend = DEAD) => sendOne(capture, webhookChannel, table, alertToSend);

  test("a change POSTs Vigil's JSON, keys in Vigil's order", async () => {
    const request = await sent(DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/webhooks/secret-hook');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(
      request.body,
      `{"type":"changed","status":"dead","time":"${TIME}","replicas":${JSON.stringify(DEAD_REPLICAS)},` +
        '"page":{"title":"Crisp Status","url":"https://status.crisp.chat/"}}',
    );
  });

  test('startup and reminder types', async () => {
    assert.deepEqual(JSON.parse((await sent(STARTUP)).body), {
      type: 'startup',
      status: 'healthy',
      time: TIME,
      replicas: [],
      page: PAGE,
    });
    assert.deepEqual(JSON.parse((await sent(REMINDER)).body), {
      type: 'reminder',
      status: 'dead',
      time: TIME,
      replicas: DEAD_REPLICAS,
      page: PAGE,
    });
  });

  test('extensions appear only when they apply: "recovered" on recovery, "test" on a test', async () => {
    assert.deepEqual(JSON.parse((await sent(RECOVERED)).body).recovered, RECOVERED.recovered);
    const marked = JSON.parse((await sent(alert({ ...DEAD, test: true }))).body);
    assert.equal(marked.test, true);
    assert.equal(marked.type, 'changed');
  });

  test('credentials in the hook URL become Basic auth, as reqwest sends them', async () => {
    const server = capture.server();
    const hookUrl = `http://hook%20user:p%40ss@127.0.0.1:${server.port}/webhooks/secret-hook`;
    await build(webhookChannel, { hook_url: hookUrl }).send(DEAD, running);
    const [request] = server.requests;
    assert.equal(request?.url, '/webhooks/secret-hook');
    assert.equal(request?.headers.authorization, `Basic ${Buffer.from('hook user:p@ss').toString('base64')}`);
  });

  test('it accepts every alert: Vigil has no reminders_only for the webhook, and ignores one given', () => {
    const channel = build(webhookChannel, { ...table('http://127.0.0.1:9'), reminders_only: true });
    for (const kind of ['startup', 'changed', 'reminder'] as const)
      assert.equal(channel.accepts(alert({ kind })), true);
  });
});

describe('webhook: schema', () => {
  test("a table with the keys of Vigil's sample parses", () => {
    assert.deepEqual(webhookChannel.schema.parse(sampleTable('webhook')), {
      hook_url: 'https://hooks.harbour.example/generic/fixture',
    });
  });
});

transportContract(webhookChannel, table);
