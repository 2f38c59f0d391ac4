import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ntfyChannel } from '../../src/notify/channels/ntfy.js';
import type { Alert } from '../../src/notify/types.js';
import {
  alert,
  DEAD,
  DEAD_DESCRIPTION,
  DEAD_WITH_REASON,
  ESCALATED_ONCE,
  PAGE,
  RECOVERED,
  REMINDER,
  STARTUP,
  sendOne,
  tableErrors,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const table = (serverUrl: string, extra: Record<string, unknown> = {}) => ({
  server_url: serverUrl,
  topic: 'vigil-alerts',
  ...extra,
});

describe('ntfy: requests', () => {
  const capture = useCaptureServer();
  const sent = (alertToSend: Alert, extra: Record<string, unknown> = {}) =>
    sendOne(capture, ntfyChannel, (url) => table(url, extra), alertToSend);
  const bodyOf = async (alertToSend: Alert) => JSON.parse((await sent(alertToSend)).body);

  test('a dead alert publishes JSON to the server root: topic, title, message with reasons, high priority', async () => {
    const request = await sent(DEAD_WITH_REASON);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.authorization, undefined, 'no credentials unless configured');
    assert.deepEqual(JSON.parse(request.body), {
      topic: 'vigil-alerts',
      title: 'Crisp Status',
      message: DEAD_DESCRIPTION,
      priority: 4,
      tags: ['x'],
      click: PAGE.url,
    });
  });

  test('priorities: startup low, recovery default, every reminder max as Gotify does', async () => {
    const startup = await bodyOf(STARTUP);
    assert.equal(startup.priority, 2);
    assert.deepEqual(startup.tags, ['white_check_mark']);
    const recovered = await bodyOf(RECOVERED);
    assert.equal(recovered.priority, 3);
    assert.match(
      recovered.message,
      /\nRecovered: web:load-balancer:tcp:\/\/edge-1\.pool\.net\.crisp\.chat:80, /,
    );
    assert.equal((await bodyOf(REMINDER)).priority, 5);
    assert.equal((await bodyOf(ESCALATED_ONCE)).priority, 5);
    const sick = await bodyOf(alert({ status: 'sick', sick: ['web:api:http://api-1/health'] }));
    assert.deepEqual([sick.priority, sick.tags], [3, ['warning']]);
  });

  test('a drill says so in the title and the message', async () => {
    const body = await bodyOf(alert({ ...DEAD, test: true }));
    assert.equal(body.title, '[TEST] Crisp Status');
    assert.match(body.message, /^\[TEST\] Status changed to: dead\./);
  });

  test('a token is sent as Bearer, a user and password as Basic; a path prefix is kept', async () => {
    const bearer = await sent(DEAD, { token: 'tk_secret' });
    assert.equal(bearer.headers.authorization, 'Bearer tk_secret');
    const basic = await sendOne(
      capture,
      ntfyChannel,
      (url) => table(`${url}/ntfy`, { username: 'vigil', password: 'p@ss' }),
      DEAD,
    );
    assert.equal(basic.url, '/ntfy/');
    assert.equal(basic.headers.authorization, `Basic ${Buffer.from('vigil:p@ss').toString('base64')}`);
  });
});

describe('ntfy: schema', () => {
  test('server_url defaults to ntfy.sh; the topic is required and must be a valid ntfy topic', () => {
    assert.deepEqual(ntfyChannel.schema.parse({ topic: 'alerts_1' }), {
      server_url: 'https://ntfy.sh',
      topic: 'alerts_1',
      reminders_only: false,
    });
    for (const topic of ['', 'with space', 'a/b', 'x'.repeat(65)]) {
      assert.equal(ntfyChannel.schema.safeParse({ topic }).success, false, topic);
    }
  });

  test('token and username/password exclude each other; username and password go together', () => {
    const problem = (extra: Record<string, unknown>) => {
      const parsed = ntfyChannel.schema.safeParse({ topic: 't', ...extra });
      return parsed.success ? undefined : parsed.error.issues.map((issue) => issue.message).join('; ');
    };
    assert.match(problem({ token: 'tk', username: 'u', password: 'p' }) ?? '', /either token or username/);
    assert.match(problem({ username: 'u' }) ?? '', /username and password go together/);
    assert.equal(problem({ username: 'u', password: 'p' }), undefined);
  });

  test('a config with a bad table is refused at load, naming the key', () => {
    assert.match(tableErrors('ntfy', 'topic = "a b"'), /notify\.ntfy\.topic: must be 1 to 64 letters/);
    assert.match(
      tableErrors('ntfy', 'topic = "t"\ntoken = "tk"\nusername = "u"\npassword = "p"'),
      /notify\.ntfy\.token: give either token or username and password/,
    );
  });
});

transportContract(ntfyChannel, (url) => table(`${url}/secret-prefix`));
