import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { webexChannel } from '../../src/notify/channels/webex.js';
import {
  alert,
  DEAD,
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

const table = (baseUrl: string) => ({
  endpoint_url: `${baseUrl}/v1/messages`,
  token: 'secret-token',
  room_id: 'room-1',
});
const lines = (status: string, nodes: string) =>
  `Status: ${status}\nNodes: ${nodes}\nTime: ${TIME}\nURL: https://status.crisp.chat/`;

describe('webex: requests', () => {
  const capture = useCaptureServer();

  const sent = (alertToSend = DEAD) => sendOne(capture, webexChannel, table, alertToSend);

  const text = async (alertToSend = DEAD) => JSON.parse((await sent(alertToSend)).body).text;

  test('a change POSTs {roomId, text} to the endpoint with a Bearer token', async () => {
    const request = await sent(DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/messages');
    assert.equal(request.headers.authorization, 'Bearer secret-token');
    assert.equal(request.headers['content-type'], 'application/json');
    const expected = {
      roomId: 'room-1',
      text: `Status change report from: Crisp Status\n${lines('Dead', NODES)}`,
    };
    assert.deepEqual(JSON.parse(request.body), expected);
    assert.equal(request.body, JSON.stringify(expected));
  });

  test('startup and reminder headlines', async () => {
    assert.equal(await text(STARTUP), `Status startup alert from: Crisp Status\n${lines('Healthy', '')}`);
    assert.equal(
      await text(REMINDER),
      `Status unchanged reminder from: Crisp Status\n${lines('Dead', NODES)}`,
    );
  });

  test('a test alert is marked; a recovery lists what came back', async () => {
    assert.match(
      await text(alert({ ...DEAD, test: true })),
      /^\[TEST\] Status change report from: Crisp Status\n/,
    );
    assert.equal(
      await text(RECOVERED),
      `Status change report from: Crisp Status\n${lines('Healthy', '')}\n` +
        'Recovered: web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80, web:router:icmp://edge-2',
    );
  });
});

describe('webex: schema', () => {
  test("a table with the keys of Vigil's sample parses with reminders_only false", () => {
    assert.deepEqual(webexChannel.schema.parse(sampleTable('webex')), {
      endpoint_url: 'https://webex.harbour.example/v1/messages',
      token: 'fixture-webex-token',
      room_id: 'fixture-webex-room',
      reminders_only: false,
    });
  });
});

transportContract(webexChannel, table);
