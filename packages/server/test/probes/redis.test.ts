import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { encodeCommand, redisProbe } from '../../src/probes/redis.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { closedPort, parsedTarget, pollWithSickAtZero, running, serve } from './loopback.js';

const PASSWORD = 'pa ss:wörd';

const target = (url: string) => parsedTarget(url, 'redis');

const check = (url: string, timeoutMs = 5000) =>
  redisProbe.check(target(url), { timeoutMs, signal: running });

describe('redis probe against a real redis-server', () => {
  let open: TestRedis;
  let guarded: TestRedis;
  let secure: TestRedis;

  before(async () => {
    [open, guarded, secure] = await Promise.all([
      startTestRedis(),
      startTestRedis({ password: PASSWORD }),
      startTestRedis({ password: PASSWORD, tls: true }),
    ]);
  });
  after(async () => {
    await Promise.all([open.stop(), guarded.stop(), secure.stop()]);
  });

  test('a server that answers PING with PONG is healthy', async () => {
    const result = await check(`redis://127.0.0.1:${open.port}`);
    assert.equal(result.health, 'healthy', result.reason);
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
  });

  test('the password from the URL is sent with AUTH, %-escapes decoded', async () => {
    const url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${guarded.port}`;
    const result = await check(url);
    assert.equal(result.health, 'healthy', result.reason);
  });

  test('the default user may be named, as Redis 6 ACLs allow', async () => {
    const url = `redis://default:${encodeURIComponent(PASSWORD)}@127.0.0.1:${guarded.port}`;
    assert.equal((await check(url)).health, 'healthy');
  });

  test("a wrong password is dead, with the server's refusal as the reason", async () => {
    const result = await check(`redis://:wrong@127.0.0.1:${guarded.port}`);
    assert.equal(result.health, 'dead');
    assert.match(result.reason ?? '', /^AUTH refused: WRONGPASS invalid username-password pair/);
  });

  test('no password where one is required is dead: NOAUTH', async () => {
    const result = await check(`redis://127.0.0.1:${guarded.port}`);
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'PING answered "NOAUTH Authentication required."');
  });

  test('rediss:// speaks TLS first, the certificate verified (the test CA is trusted)', async () => {
    const result = await check(`rediss://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${secure.port}`);
    assert.equal(result.health, 'healthy', result.reason);
    const wrong = await check(`rediss://:wrong@localhost:${secure.port}`);
    assert.equal(wrong.health, 'dead');
    assert.match(wrong.reason ?? '', /^AUTH refused: WRONGPASS/);
  });

  test('rediss:// to a plain server is dead: the server waits for a line that never comes', async () => {
    const result = await check(`rediss://127.0.0.1:${open.port}`, 300);
    assert.deepEqual([result.health, result.reason], ['dead', 'timed out after 0.3 s']);
  });

  test('redis:// to a TLS-only server is dead: it drops the connection', async () => {
    const result = await check(`redis://127.0.0.1:${secure.port}`);
    assert.equal(result.health, 'dead');
    assert.match(result.reason ?? '', /^connection (reset|closed before a reply)$/);
  });

  test('a poll at or above poll_delay_sick is sick, with the latency as the reason', async () => {
    const result = await pollWithSickAtZero(redisProbe, target(`redis://127.0.0.1:${open.port}`));
    assert.equal(result.health, 'sick');
    assert.match(result.reason ?? '', /^slow: \d+ ms \(sick at 0 s\)$/);
  });

  test('a stopped server is dead: connection refused', async () => {
    const stopped = await startTestRedis();
    await stopped.stop();
    const result = await check(`redis://127.0.0.1:${stopped.port}`);
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'connection refused');
  });
});

describe('redis probe against other servers', () => {
  test('a closed port is dead: connection refused', async () => {
    const result = await check(`redis://127.0.0.1:${await closedPort()}`);
    assert.deepEqual([result.health, result.reason], ['dead', 'connection refused']);
  });

  test('a server that never answers is dead when the deadline passes', async () => {
    const served = await serve(createServer());
    try {
      const result = await check(`redis://127.0.0.1:${served.port}`, 300);
      assert.deepEqual([result.health, result.reason], ['dead', 'timed out after 0.3 s']);
    } finally {
      await served.close();
    }
  });

  test('an HTTP server is not a Redis server', async () => {
    const served = await serve(createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    try {
      const result = await check(`redis://127.0.0.1:${served.port}`);
      assert.deepEqual(
        [result.health, result.reason],
        ['dead', 'not a Redis server (got "HTTP/1.1 400 Bad Request")'],
      );
    } finally {
      await served.close();
    }
  });

  test('a server that hangs up before answering is dead', async () => {
    const served = await serve(createServer((socket) => socket.end()));
    try {
      const result = await check(`redis://127.0.0.1:${served.port}`);
      assert.equal(result.health, 'dead');
      assert.match(result.reason ?? '', /^connection (closed before a reply|reset)$/);
    } finally {
      await served.close();
    }
  });
});

test('commands go out as RESP arrays of bulk strings, lengths in bytes', () => {
  assert.equal(encodeCommand('AUTH', 'pä'), '*2\r\n$4\r\nAUTH\r\n$3\r\npä\r\n');
});
