import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { checkWithRetries } from '../../src/probes/attempt.js';
import type { GrpcTarget } from '../../src/probes/grpc.js';
import {
  grpcProbe,
  type HealthCheckRequest,
  type HealthCheckResponse,
  loadHealthCheckMethod,
} from '../../src/probes/grpc.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closedPort, running } from './loopback.js';

/** Serving status per service name, as a real server keeps it; '' is the server as a whole. */
const STATUSES: Record<string, string> = {
  '': 'SERVING',
  'shop.Cart': 'SERVING',
  'shop.Payments': 'NOT_SERVING',
  'shop.Slow': 'SERVING',
};
const SLOW_ANSWER_MS = 300;

interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

/** A real gRPC server on a free loopback port; without `statuses` it implements no service at all. */
async function startServer(statuses?: Record<string, string>): Promise<RunningServer> {
  const server = new Server();
  if (statuses) {
    const check = (
      call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
      callback: sendUnaryData<HealthCheckResponse>,
    ) => {
      const { service } = call.request;
      const servingStatus = statuses[service];
      if (servingStatus === undefined) {
        callback({ code: status.NOT_FOUND, details: 'unknown service' });
        return;
      }
      const delayMs = service === 'shop.Slow' ? SLOW_ANSWER_MS : 0;
      setTimeout(() => callback(null, { status: servingStatus }), delayMs);
    };
    const implementation: UntypedServiceImplementation = { Check: check };
    server.addService({ Check: await loadHealthCheckMethod() }, implementation);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

const target = (port: number, service = ''): GrpcTarget => ({
  kind: 'grpc',
  host: '127.0.0.1',
  port,
  service,
});

const check = (port: number, service = '', timeoutMs = 5000) =>
  grpcProbe.check(target(port, service), { timeoutMs, signal: running });

describe('grpc probe against a real gRPC server with the health service', () => {
  let server: RunningServer;

  before(async () => {
    server = await startServer(STATUSES);
  });
  after(async () => {
    await server?.stop();
  });

  test('the whole server SERVING is healthy', async () => {
    const result = await check(server.port);
    assert.equal(result.health, 'healthy', result.reason);
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
  });

  test('a named service SERVING is healthy', async () => {
    const result = await check(server.port, 'shop.Cart');
    assert.equal(result.health, 'healthy', result.reason);
  });

  test('NOT_SERVING is dead', async () => {
    const result = await check(server.port, 'shop.Payments');
    assert.deepEqual([result.health, result.reason], ['dead', 'NOT_SERVING']);
  });

  test('an unknown service is dead with its name as the reason', async () => {
    const result = await check(server.port, 'shop.Nope');
    assert.deepEqual([result.health, result.reason], ['dead', 'unknown service "shop.Nope"']);
  });

  test('a slow answer is sick by Vigil’s latency rule', async () => {
    const policy = { retries: 0, retryWaitMs: 0, timeoutMs: 10_000, sickLatencyMs: SLOW_ANSWER_MS - 100 };
    const result = await checkWithRetries(grpcProbe, target(server.port, 'shop.Slow'), policy, {
      clock: new FakeClock(),
      signal: running,
    });
    assert.equal(result.health, 'sick', result.reason);
    assert.match(result.reason ?? '', /^slow: \d+ ms \(sick at 0\.2 s\)$/);
  });

  test('an answer later than the deadline is dead with the timeout as its reason', async () => {
    const result = await check(server.port, 'shop.Slow', 100);
    assert.deepEqual([result.health, result.reason], ['dead', 'timed out after 0.1 s']);
  });
});

describe('grpc probe against other endpoints', () => {
  test('a gRPC server without the health service is dead', async () => {
    const server = await startServer();
    try {
      const result = await check(server.port);
      assert.deepEqual(
        [result.health, result.reason],
        ['dead', 'the server does not implement grpc.health.v1.Health'],
      );
    } finally {
      await server.stop();
    }
  });

  test('a server that keeps no overall status is dead when no service is named', async () => {
    const server = await startServer({ 'shop.Cart': 'SERVING' });
    try {
      const result = await check(server.port);
      assert.deepEqual(
        [result.health, result.reason],
        ['dead', 'the server reports no overall health (name a service)'],
      );
    } finally {
      await server.stop();
    }
  });

  test('a closed port is dead: connection refused', async () => {
    const result = await check(await closedPort());
    assert.deepEqual([result.health, result.reason], ['dead', 'connection refused']);
  });
});
