import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { after, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startRawCaptureServer } from '../../server/test/helpers/raw-capture-server.js';
import { startTestServer } from '../../server/test/helpers/server.js';
import { readSystemLoad } from '../src/load.js';
import type { VigilReporterOptions } from '../src/options.js';
import { nextReportDelayMs, VigilReporter } from '../src/reporter.js';

const PUSH_PROBES = `
[[probe.service]]
id = "relay"
label = "Relay"
[[probe.service.node]]
id = "socket-client"
label = "Socket Client"
mode = "push"
`;

const TOKEN = 'reporter-secret';
/** So that a busy test machine's load never makes the replica sick. */
const NEVER_SICK = 'push_system_cpu_sick_above = 1000\npush_system_ram_sick_above = 1000';

function options(url: string, extra: Partial<VigilReporterOptions> = {}): VigilReporterOptions {
  return {
    url,
    token: TOKEN,
    probe_id: 'relay',
    node_id: 'socket-client',
    replica_id: '192.168.1.10',
    startDelayMs: 0,
    ...extra,
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

describe('VigilReporter options', () => {
  test('refuses what node-vigil-reporter refuses, with its messages', () => {
    // @ts-expect-error: JavaScript callers can pass anything.
    assert.throws(() => new VigilReporter(undefined), { message: 'Invalid or missing options' });
    for (const name of ['url', 'token', 'probe_id', 'node_id', 'replica_id'] as const) {
      const broken = { ...options('http://127.0.0.1:1'), [name]: 42 } as unknown as VigilReporterOptions;
      assert.throws(() => new VigilReporter(broken), { message: `Invalid or missing options.${name}` });
    }
  });

  test('also refuses what the server would refuse on every report', () => {
    assert.throws(() => new VigilReporter(options('status.example.com')), {
      message: 'Invalid or missing options.url',
    });
    assert.throws(() => new VigilReporter(options('ftp://example.com')), {
      message: 'Invalid or missing options.url',
    });
    for (const interval of [2.5, -30, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new VigilReporter(options('http://127.0.0.1:1', { interval })), {
        message: 'Invalid or missing options.interval',
      });
    }
  });
});

describe('VigilReporter reports', () => {
  test('the documented request: path, headers and body', async () => {
    const capture = await startRawCaptureServer();
    after(capture.close);
    const reporter = new VigilReporter(
      options(`${capture.url}/status/`, { probe_id: 'relay one', replica_id: 'a/b', interval: 45 }),
    );
    await waitFor(() => capture.requests.length === 1, 'a report');
    await reporter.end();
    const [request] = capture.requests;
    assert.equal(request?.method, 'POST');
    // The sub-path is kept, ids are percent-encoded.
    assert.equal(request?.url, '/status/reporter/relay%20one/socket-client/');
    const body = request?.body.toString('utf8') ?? '';
    assert.deepEqual(request?.rawHeaders, [
      'Authorization',
      `Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`,
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(Buffer.byteLength(body)),
      'Host',
      `127.0.0.1:${capture.port}`,
      'Connection',
      'close',
    ]);
    const payload = JSON.parse(body) as {
      replica: string;
      interval: number;
      load: { cpu: number; ram: number };
    };
    assert.deepEqual(Object.keys(payload), ['replica', 'interval', 'load']);
    assert.deepEqual(Object.keys(payload.load), ['cpu', 'ram']);
    assert.equal(payload.replica, 'a/b');
    assert.equal(payload.interval, 45);
  });

  test('CPU is the 1-minute load per core, RAM the host memory in use', () => {
    const load = readSystemLoad();
    assert.ok(Math.abs(load.cpu - (loadavg()[0] ?? 0) / cpus().length) < 0.05, `cpu ${load.cpu}`);
    assert.ok(Math.abs(load.ram - (1 - freemem() / totalmem())) < 0.02, `ram ${load.ram}`);
    if (process.platform === 'linux') {
      // What `free` calls used: MemTotal - MemAvailable, not the process heap (node-vigil-reporter 1.4's mistake).
      const meminfo = readFileSync('/proc/meminfo', 'utf8');
      const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1]);
      const used = 1 - kib('MemAvailable') / kib('MemTotal');
      assert.ok(Math.abs(load.ram - used) < 0.02, `ram ${load.ram}, /proc/meminfo ${used}`);
    }
  });

  test('the replica appears on a real server, and end({ flush: true }) removes it', async () => {
    const server = await startTestServer(PUSH_PROBES, { metrics: NEVER_SICK });
    after(server.close);
    const replicas = () => server.model.node('relay', 'socket-client')?.replicas;
    const logs: string[] = [];
    const reporter = new VigilReporter(
      options(server.url, { console: { info: (message) => logs.push(message) } }),
    );
    await waitFor(() => replicas()?.size === 1, 'the replica');
    const report = (await (await fetch(`${server.url}/status/report`)).json()) as {
      probes: Array<{ nodes: Array<{ replicas: string[] }> }>;
    };
    assert.deepEqual(report.probes[0]?.nodes[0]?.replicas, ['healthy']);
    const load = replicas()?.get('192.168.1.10')?.load;
    const expected = readSystemLoad();
    assert.ok(load && Math.abs(load.cpu - expected.cpu) < 0.05 && Math.abs(load.ram - expected.ram) < 0.02);
    assert.ok(logs.includes('Vigil Reporter: Request succeeded'));

    let doneWith: Error | null | undefined;
    await reporter.end({ flush: true, done: (error) => (doneWith = error) });
    assert.equal(doneWith, null);
    assert.equal(replicas()?.size, 0);
  });

  test('end({ flush: true }) while a report is in flight still flushes, and nothing is sent after', async () => {
    const server = await startTestServer(PUSH_PROBES, { metrics: NEVER_SICK });
    after(server.close);
    // Forwards each request to the server at once, but holds the answer to reports: they stay in flight.
    const seen: string[] = [];
    const proxy = createServer(async (request, response) => {
      seen.push(request.method ?? '');
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const answer = await fetch(`${server.url}${request.url}`, {
        method: request.method ?? 'GET',
        headers: {
          authorization: request.headers.authorization ?? '',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body } : {}),
      });
      if (request.method === 'POST') await delay(2000);
      response.statusCode = answer.status;
      response.end();
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    after(() => proxy.close());
    proxy.unref();
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const replicas = () => server.model.node('relay', 'socket-client')?.replicas;

    const reporter = new VigilReporter(options(url, { interval: 1 }));
    await waitFor(() => replicas()?.size === 1, 'the report to reach the server');
    const endingMs = Date.now();
    await reporter.end({ flush: true });
    assert.ok(Date.now() - endingMs < 1000, 'end() did not wait for the held report');
    assert.equal(replicas()?.size, 0);
    await delay(1500);
    assert.deepEqual(seen, ['POST', 'DELETE']);
  });

  test('a failed flush rejects and reaches done, and never goes unhandled', async () => {
    const capture = await startRawCaptureServer([404]);
    after(capture.close);
    const reporter = new VigilReporter(options(capture.url, { startDelayMs: 60_000 }));
    await assert.rejects(reporter.end({ flush: true }), { message: 'Flush failed: status 404' });
    const other = new VigilReporter(options(capture.url, { startDelayMs: 60_000 }));
    const error = await new Promise((resolve) => {
      // Nobody awaits the promise: the test runner would report an unhandled rejection.
      void other.end({ flush: true, done: resolve });
    });
    assert.equal((error as Error).message, 'Flush failed: status 404');
    // Before any report, end() sends nothing but the flush.
    assert.deepEqual(
      capture.requests.map((request) => request.method),
      ['DELETE', 'DELETE'],
    );
  });

  test('end() without flush sends nothing and later calls share its promise', async () => {
    const capture = await startRawCaptureServer();
    after(capture.close);
    const reporter = new VigilReporter(options(capture.url, { startDelayMs: 50 }));
    const ending = reporter.end();
    assert.equal(reporter.end({ flush: true }), ending);
    await ending;
    await delay(150);
    assert.equal(capture.requests.length, 0);
  });
});

describe('VigilReporter schedule', () => {
  test('after failures: interval/2, then doubling, never above interval', () => {
    assert.equal(nextReportDelayMs(60, 0), 60_000);
    assert.equal(nextReportDelayMs(60, 1), 30_000);
    assert.equal(nextReportDelayMs(60, 2), 60_000);
    assert.equal(nextReportDelayMs(60, 10), 60_000);
  });

  test('a server answering 500, 500, then 200 is retried at interval/2, interval, interval', async () => {
    const capture = await startRawCaptureServer([500, 500, 200]);
    after(capture.close);
    const reporter = new VigilReporter(options(capture.url, { interval: 1 }));
    await waitFor(() => capture.requests.length === 4, 'four reports', 6000);
    await reporter.end();
    const gaps = capture.requests
      .slice(1)
      .map((request, index) => Math.round(request.atMs - (capture.requests[index]?.atMs ?? 0)));
    const expected = [500, 1000, 1000];
    for (const [index, gap] of gaps.entries()) {
      const want = expected[index] ?? 0;
      assert.ok(gap >= want - 20 && gap < want + 250, `gaps ${gaps}, expected about ${expected}`);
    }
  });
});
