import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type Clock, systemClock } from '@vigil-ts/server/time';
import { FakeClock } from '../../server/test/helpers/fake-clock.js';
import { startRawCaptureServer } from '../../server/test/helpers/raw-capture-server.js';
import {
  createReportClient,
  type HealthReport,
  REPORT_ATTEMPTS,
  REPORT_RETRY_WAIT_MS,
  REPORT_TIMEOUT_MS,
} from '../src/report.js';
import { USER_AGENT, VERSION } from '../src/version.js';
import { waitFor } from './helpers/relay.js';

const REPORT: HealthReport = {
  serviceId: 'internal',
  nodeId: 'gateway',
  replicaId: 'icmp://127.0.0.1',
  health: 'sick',
  intervalSeconds: 120,
};

const never = new AbortController().signal;
/** The system clock with ref'd timers: nothing else keeps the test's event loop alive during a retry wait. */
const clock: Clock = { ...systemClock, setTimeout: (callback, delayMs) => setTimeout(callback, delayMs) };

function client(endpoint: string, options: { retryWaitMs?: number; timeoutMs?: number } = {}) {
  return createReportClient({
    endpoint,
    token: 'YOUR_TOKEN_SECRET',
    userAgent: USER_AGENT,
    clock,
    retryWaitMs: options.retryWaitMs ?? 10,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

describe('report client', () => {
  test("sends Vigil Local's exact request", async () => {
    const server = await startRawCaptureServer();
    after(server.close);
    const outcome = await client(server.url)(REPORT, never);
    assert.deepEqual(outcome, { ok: true, attempts: 1 });
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/reporter/internal/gateway/');
    const body = '{"replica":"icmp://127.0.0.1","health":"sick","interval":120}';
    assert.equal(request?.body.toString('utf8'), body);
    assert.deepEqual(request?.rawHeaders, [
      'Authorization',
      `Basic ${Buffer.from(':YOUR_TOKEN_SECRET').toString('base64')}`,
      'Content-Type',
      'application/json',
      'Content-Length',
      String(body.length),
      'User-Agent',
      `vigil-local/${VERSION}`,
      'Host',
      `127.0.0.1:${server.port}`,
      // A fresh connection per report, so a server restart cannot leave a dead keep-alive socket behind.
      'Connection',
      'close',
    ]);
  });

  test('keeps a sub-path of the endpoint and tolerates a trailing slash', async () => {
    const server = await startRawCaptureServer();
    after(server.close);
    await client(`${server.url}/status/`)(REPORT, never);
    assert.equal(server.requests[0]?.url, '/status/reporter/internal/gateway/');
  });

  test("uses Vigil Local's timeout and retry counts", () => {
    assert.equal(REPORT_TIMEOUT_MS, 10_000);
    assert.equal(REPORT_ATTEMPTS, 4);
    assert.equal(REPORT_RETRY_WAIT_MS, 2_000);
  });

  test('retries a failed report, up to 4 attempts, the wait apart', async () => {
    const server = await startRawCaptureServer([500, 503, 502, 200]);
    after(server.close);
    const outcome = await client(server.url, { retryWaitMs: 50 })(REPORT, never);
    assert.deepEqual(outcome, { ok: true, attempts: 4 });
    const times = server.requests.map((request) => request.atMs);
    for (let index = 1; index < times.length; index++) {
      assert.ok((times[index] ?? 0) - (times[index - 1] ?? 0) >= 45, `gap ${index}: ${times}`);
    }
    // Every attempt is the same request.
    assert.equal(new Set(server.requests.map((request) => request.body.toString())).size, 1);
  });

  test('waits exactly 2 s between attempts by default', async () => {
    const server = await startRawCaptureServer([500]);
    after(server.close);
    const fake = new FakeClock();
    const sending = createReportClient({
      endpoint: server.url,
      token: 't',
      userAgent: USER_AGENT,
      clock: fake,
    })(REPORT, never);
    for (let attempt = 1; attempt < REPORT_ATTEMPTS; attempt++) {
      await waitFor(() => fake.pendingTimers === 1, `the wait after attempt ${attempt}`);
      fake.advance(REPORT_RETRY_WAIT_MS - 1);
      await delay(30);
      assert.equal(server.requests.length, attempt);
      fake.advance(1);
    }
    assert.deepEqual(await sending, { ok: false, attempts: 4, reason: 'status 500' });
    assert.equal(server.requests.length, 4);
  });

  test('gives up after 4 attempts and says why, without throwing', async () => {
    const server = await startRawCaptureServer([412]);
    after(server.close);
    const retries: number[] = [];
    const send = createReportClient({
      endpoint: server.url,
      token: 't',
      userAgent: USER_AGENT,
      clock,
      retryWaitMs: 1,
      onRetry: (_report, attempt) => retries.push(attempt),
    });
    const outcome = await send(REPORT, never);
    assert.deepEqual(outcome, {
      ok: false,
      attempts: 4,
      reason: 'status 412 (node "gateway" must have mode = "local" on the server)',
    });
    assert.equal(server.requests.length, 4);
    assert.deepEqual(retries, [1, 2, 3]);
  });

  test('a server that is down is a failed report, not an error', async () => {
    const server = await startRawCaptureServer();
    await server.close();
    const outcome = await client(server.url, { retryWaitMs: 1 })(REPORT, never);
    assert.deepEqual(outcome, { ok: false, attempts: 4, reason: 'connection refused' });
  });

  test('a server that never answers times out', async () => {
    // Accepts connections and reads nothing, like a hung server.
    const silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    after(() => {
      silent.close();
    });
    const { port } = silent.address() as { port: number };
    const send = client(`http://127.0.0.1:${port}`, { retryWaitMs: 1, timeoutMs: 50 });
    assert.deepEqual(await send(REPORT, never), {
      ok: false,
      attempts: 4,
      reason: 'timed out after 0.05 s',
    });
  });

  test('a shutdown stops the retries at once', async () => {
    const server = await startRawCaptureServer([500]);
    after(server.close);
    const controller = new AbortController();
    const sending = client(server.url, { retryWaitMs: 60_000 })(REPORT, controller.signal);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const outcome = await sending;
    assert.equal(outcome.ok, false);
    assert.equal(outcome.attempts, 1);
  });
});
