import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matrixChannel } from '../../src/notify/channels/matrix.js';
import {
  alert,
  DEAD,
  RECOVERED,
  REMINDER,
  STARTUP,
  sampleTable,
  sendOne,
  TIME,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const table = (homeserverUrl: string) => ({
  homeserver_url: homeserverUrl,
  access_token: 'secret-token',
  room_id: '!abc123:matrix.org',
});
const SEND_PATH = '/_matrix/client/r0/rooms/!abc123:matrix.org/send/m.room.message';
const TAIL = `<p>Status page: https://status.crisp.chat/</p><p>Time: ${TIME}</p>`;

describe('matrix: requests', () => {
  const capture = useCaptureServer();

  const sent = (alertToSend = DEAD, path = '') =>
    sendOne(capture, matrixChannel, (url) => table(`${url}${path}`), alertToSend);

  const html = async (alertToSend = DEAD) => JSON.parse((await sent(alertToSend)).body).formatted_body;

  test('a change POSTs to the legacy r0 send URL with the token in the query, replicas counted per node', async () => {
    const request = await sent(DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, `${SEND_PATH}?access_token=secret-token`);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.authorization, undefined);
    const expected = {
      body: 'You received a Vigil alert.',
      msgtype: 'm.text',
      format: 'org.matrix.custom.html',
      formatted_body:
        '<p>\u274C Status changed to: <em>DEAD</em>.</p>' +
        '<ul><li><code>web:load-balancer</code>: 2 dead</li></ul>' +
        TAIL,
    };
    assert.deepEqual(JSON.parse(request.body), expected);
    assert.equal(request.body, JSON.stringify(expected));
  });

  test('startup has no list; reminders say "is still"; groups keep first-seen order', async () => {
    assert.equal(await html(STARTUP), `<p>\u2705 Status started up, as: <em>HEALTHY</em>.</p>${TAIL}`);
    assert.equal(
      await html(REMINDER),
      `<p>\u274C Status is still: <em>DEAD</em>.</p><ul><li><code>web:load-balancer</code>: 2 dead</li></ul>${TAIL}`,
    );
    const replicas = ['web:lb:tcp://a:80', 'api:gw:https://b/', 'web:lb:tcp://c:80'];
    assert.match(
      await html(alert({ replicas })),
      /<ul><li><code>web:lb<\/code>: 2 dead<\/li><li><code>api:gw<\/code>: 1 dead<\/li><\/ul>/,
    );
  });

  test('homeserver_url is normalised to end with a slash, path included', async () => {
    assert.equal((await sent(DEAD, '/')).path, SEND_PATH);
    assert.equal((await sent(DEAD, '/matrix')).path, `/matrix${SEND_PATH}`);
  });

  test('a test alert is marked in body and HTML; a recovery lists what came back', async () => {
    const marked = JSON.parse((await sent(alert({ ...DEAD, test: true }))).body);
    assert.equal(marked.body, '[TEST] You received a Vigil alert.');
    assert.match(marked.formatted_body, /^<p>\[TEST\] \u274C Status changed to/);
    assert.equal(
      await html(RECOVERED),
      '<p>\u2705 Status changed to: <em>HEALTHY</em>.</p>' +
        '<p>Recovered: <code>web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80</code>, ' +
        '<code>web:router:icmp://edge-2</code></p>' +
        TAIL,
    );
  });
});

describe('matrix: schema', () => {
  test("a table with the keys of Vigil's sample parses with reminders_only false", () => {
    assert.deepEqual(matrixChannel.schema.parse(sampleTable('matrix')), {
      homeserver_url: 'https://matrix.harbour.example',
      access_token: 'fixture-matrix-token',
      room_id: '!operations:harbour.example',
      reminders_only: false,
    });
  });
});

transportContract(matrixChannel, table);
