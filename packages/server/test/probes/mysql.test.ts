import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { checkWithRetries } from '../../src/probes/attempt.js';
import { mysqlProbe } from '../../src/probes/mysql.js';
import type { MysqlTarget } from '../../src/probes/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startTestMariadb, type TestMariadb } from '../helpers/mariadb.js';
import { closedPort, running, serve } from './loopback.js';
import { slowRelay } from './slow-relay.js';

const account = { user: 'vigil', password: "p@ss 'word", database: 'probe' };

const target = (port: number, overrides: Partial<MysqlTarget> = {}): MysqlTarget => ({
  kind: 'mysql',
  host: '127.0.0.1',
  port,
  ...account,
  ...overrides,
});

const check = (port: number, overrides: Partial<MysqlTarget> = {}, timeoutMs = 5000) =>
  mysqlProbe.check(target(port, overrides), { timeoutMs, signal: running });

describe('mysql probe against a real MariaDB', () => {
  let server: TestMariadb;

  before(async () => {
    server = await startTestMariadb(account);
  });
  after(async () => {
    await server?.stop();
  });

  test('logging in to the database and running SELECT 1 is healthy', async () => {
    const result = await check(server.port);
    assert.equal(result.health, 'healthy', result.reason);
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
  });

  test('no database named is healthy too', async () => {
    const result = await check(server.port, { database: undefined });
    assert.equal(result.health, 'healthy', result.reason);
  });

  test('a wrong password is dead with the server’s reason', async () => {
    const result = await check(server.port, { password: 'wrong' });
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, "MySQL: Access denied for user 'vigil'@'127.0.0.1' (using password: YES)");
  });

  test('a database the user may not use is dead', async () => {
    const result = await check(server.port, { database: 'other' });
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, "MySQL: Access denied for user 'vigil'@'127.0.0.1' to database 'other'");
  });

  test('a slow answer is sick by Vigil’s latency rule', async () => {
    // Each server packet is held 300 ms; the handshake alone takes several, so the latency is well above 200 ms.
    const relay = await slowRelay(server.port, 300);
    try {
      const policy = { retries: 0, retryWaitMs: 0, timeoutMs: 10_000, sickLatencyMs: 200 };
      const result = await checkWithRetries(mysqlProbe, target(relay.port), policy, {
        clock: new FakeClock(),
        signal: running,
      });
      assert.equal(result.health, 'sick', result.reason);
      assert.match(result.reason ?? '', /^slow: \d+ ms \(sick at 0\.2 s\)$/);
    } finally {
      await relay.close();
    }
  });

  test('a server slower than the deadline is dead with the timeout as its reason', async () => {
    const relay = await slowRelay(server.port, 1000);
    try {
      const result = await check(relay.port, {}, 300);
      assert.equal(result.health, 'dead');
      assert.equal(result.reason, 'timed out after 0.3 s');
    } finally {
      await relay.close();
    }
  });
});

describe('mysql probe against other endpoints', () => {
  test('a closed port is dead: connection refused', async () => {
    const result = await check(await closedPort());
    assert.deepEqual([result.health, result.reason], ['dead', 'connection refused']);
  });

  test('a server that hangs up at once is dead', async () => {
    const served = await serve(createServer((socket) => socket.destroy()));
    try {
      const result = await check(served.port);
      assert.deepEqual([result.health, result.reason], ['dead', 'connection closed by the server']);
    } finally {
      await served.close();
    }
  });
});
