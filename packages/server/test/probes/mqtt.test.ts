import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { MqttTarget } from '../../src/probes/mqtt.js';
import { mqttProbe } from '../../src/probes/mqtt.js';
import { startTestMosquitto, type TestMosquitto } from '../helpers/mosquitto.js';
import { closedPort, running, serve } from './loopback.js';
import { checkThroughSlowRelay } from './slow-relay.js';

const account = { user: 'vigil', password: 's3cret:@' };

const target = (port: number, credentials: Partial<MqttTarget> = {}): MqttTarget => ({
  kind: 'mqtt',
  host: '127.0.0.1',
  port,
  ...credentials,
});

const check = (port: number, credentials: Partial<MqttTarget> = {}, timeoutMs = 5000) =>
  mqttProbe.check(target(port, credentials), { timeoutMs, signal: running });

const valid = { username: account.user, password: account.password };

describe('mqtt probe against a real Mosquitto with a password file', () => {
  let broker: TestMosquitto;

  before(async () => {
    broker = await startTestMosquitto(account);
  });
  after(async () => {
    await broker?.stop();
  });

  test('a CONNECT the broker accepts is healthy', async () => {
    const result = await check(broker.port, valid);
    assert.equal(result.health, 'healthy', result.reason);
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
  });

  test('two checks at once are both healthy (each has its own client id)', async () => {
    const results = await Promise.all([check(broker.port, valid), check(broker.port, valid)]);
    assert.deepEqual(
      results.map((result) => result.health),
      ['healthy', 'healthy'],
    );
  });

  test('a wrong password is dead with the CONNACK refusal as its reason', async () => {
    const result = await check(broker.port, { username: account.user, password: 'wrong' });
    assert.deepEqual([result.health, result.reason], ['dead', 'refused: not authorized']);
  });

  test('no credentials where they are required is dead', async () => {
    const result = await check(broker.port);
    assert.deepEqual([result.health, result.reason], ['dead', 'refused: not authorized']);
  });

  test('a slow broker is sick by Vigil’s latency rule', async () => {
    const slow = { delayMs: 300, sickLatencyMs: 200, timeoutMs: 10_000 };
    const result = await checkThroughSlowRelay(mqttProbe, (port) => target(port, valid), broker.port, slow);
    assert.equal(result.health, 'sick', result.reason);
    assert.match(result.reason ?? '', /^slow: \d+ ms \(sick at 0\.2 s\)$/);
  });

  test('a broker slower than the deadline is dead with the timeout as its reason', async () => {
    const tooSlow = { delayMs: 1000, sickLatencyMs: 200, timeoutMs: 300 };
    const result = await checkThroughSlowRelay(
      mqttProbe,
      (port) => target(port, valid),
      broker.port,
      tooSlow,
    );
    assert.deepEqual([result.health, result.reason], ['dead', 'timed out after 0.3 s']);
  });
});

describe('mqtt probe against other endpoints', () => {
  test('an anonymous broker accepts a CONNECT without credentials', async () => {
    const broker = await startTestMosquitto();
    try {
      const result = await check(broker.port);
      assert.equal(result.health, 'healthy', result.reason);
    } finally {
      await broker.stop();
    }
  });

  test('a closed port is dead: connection refused', async () => {
    const result = await check(await closedPort());
    assert.deepEqual([result.health, result.reason], ['dead', 'connection refused']);
  });

  test('a server that hangs up without a CONNACK is dead', async () => {
    const served = await serve(createServer((socket) => socket.once('data', () => socket.end())));
    try {
      const result = await check(served.port);
      assert.deepEqual([result.health, result.reason], ['dead', 'connection closed before CONNACK']);
    } finally {
      await served.close();
    }
  });

  test('a server that answers with something else is not an MQTT broker', async () => {
    const served = await serve(
      createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'))),
    );
    try {
      const result = await check(served.port);
      assert.equal(result.health, 'dead');
      assert.match(result.reason ?? '', /^not an MQTT broker \(.+\)$/);
    } finally {
      await served.close();
    }
  });
});
