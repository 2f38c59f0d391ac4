import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { MysqlTarget } from '../../src/probes/mysql.js';
import { mysqlProbe } from '../../src/probes/mysql.js';
import { startTestMariadb, type TestMariadb } from '../helpers/mariadb.js';
import { closedPort, running, serve } from './loopback.js';
import { checkThroughSlowRelay } from './slow-relay.js';

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
    // Each server packet is held 300 ms; the handshake alone takes several.
    const slow = { delayMs: 300, sickLatencyMs: 200, timeoutMs: 10_000 };
    const result = await checkThroughSlowRelay(mysqlProbe, target, server.port, slow);
    assert.equal(result.health, 'sick', result.reason);
    assert.match(result.reason ?? '', /^slow: \d+ ms \(sick at 0\.2 s\)$/);
  });

  test('a server slower than the deadline is dead with the timeout as its reason', async () => {
    const tooSlow = { delayMs: 1000, sickLatencyMs: 200, timeoutMs: 300 };
    const result = await checkThroughSlowRelay(mysqlProbe, target, server.port, tooSlow);
    assert.deepEqual([result.health, result.reason], ['dead', 'timed out after 0.3 s']);
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
