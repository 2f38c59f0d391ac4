import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { tcpProbe } from '../../src/probes/tcp.js';
import { closedPort, running, serve } from './loopback.js';

const check = (host: string, port: number, signal = running) =>
  tcpProbe.check({ kind: 'tcp', host, port }, { timeoutMs: 2000, signal });

test('an open port is healthy, and the connection is dropped at once', async () => {
  const server = createServer();
  const served = await serve(server);
  try {
    const accepted = once(server, 'connection');
    const result = await check('127.0.0.1', served.port);
    assert.equal(result.health, 'healthy');
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
    const [socket] = (await accepted) as [Socket];
    if (!socket.closed) await once(socket, 'close');
  } finally {
    await served.close();
  }
});

test('with a local address (a cluster member’s source_address), the connection comes from it', async () => {
  const server = createServer();
  const served = await serve(server);
  try {
    const accepted = once(server, 'connection');
    const result = await tcpProbe.check(
      { kind: 'tcp', host: '127.0.0.1', port: served.port },
      { timeoutMs: 2000, signal: running, localAddress: '127.0.0.2' },
    );
    assert.equal(result.health, 'healthy', result.reason);
    const [socket] = (await accepted) as [Socket];
    assert.equal(socket.remoteAddress, '127.0.0.2');
  } finally {
    await served.close();
  }
});

test('an IPv6 loopback port is healthy', async () => {
  const served = await serve(createServer(), '::1');
  try {
    assert.equal((await check('::1', served.port)).health, 'healthy');
  } finally {
    await served.close();
  }
});

test('a host name is resolved first', async () => {
  const served = await serve(createServer());
  try {
    assert.equal((await check('localhost', served.port)).health, 'healthy');
  } finally {
    await served.close();
  }
});

test('a closed port is dead: connection refused', async () => {
  const result = await check('127.0.0.1', await closedPort());
  assert.equal(result.health, 'dead');
  assert.equal(result.reason, 'connection refused');
  assert.ok(result.latencyMs >= 0);
});

test('an aborted signal gives up before connecting', async () => {
  const controller = new AbortController();
  controller.abort();
  const result = await check('127.0.0.1', await closedPort(), controller.signal);
  assert.equal(result.reason, 'aborted');
});
