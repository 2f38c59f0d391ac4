import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, afterEach, describe, test } from 'node:test';
import { MemoryOutbox } from '../../src/notify/memory-outbox.js';
import { systemClock } from '../../src/time/clock.js';
import { type CaptureServer, refusedUrl, startCaptureServer } from '../helpers/capture-server.js';
import { API_1, createHarness, DB_1, settle } from './dispatcher-harness.js';

/** Vigil's shape (3 attempts), scaled down: 100 ms apart, then a 300 ms tail. */
const RETRY_DELAYS_MS = [100, 100, 300, 300, 300, 300, 300, 300];
/** Long enough that a loaded test machine still answers the healthy endpoints in time. */
const ATTEMPT_TIMEOUT_MS = 1000;

const servers: CaptureServer[] = [];
async function captureServer(): Promise<CaptureServer> {
  const server = await startCaptureServer();
  servers.push(server);
  return server;
}
const extraServers: Server[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  for (const server of extraServers) server.close();
});

/** Resolves when `check` holds, polling every 10 ms, or fails after `timeoutMs`. */
async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A plain HTTP server answering 200 on a given port: an endpoint that comes back. */
async function answerOn(port: number, onRequest: () => void): Promise<void> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      onRequest();
      response.end();
    });
  });
  extraServers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
}

type Harness = ReturnType<typeof createHarness>;
let running: Harness[] = [];
afterEach(async () => {
  await Promise.all(running.map((harness) => harness.stop()));
  running = [];
});

/** A harness on the real clock with short retries; stopped after each test. */
function startHarness(
  tables: string,
  options: { outbox?: MemoryOutbox; retryDelaysMs?: number[]; startup?: boolean } = {},
): Harness {
  const harness = createHarness({
    notify: `[notify]\nstartup_notification = ${options.startup ?? false}\n${tables}`,
    clock: systemClock,
    outbox: options.outbox,
    settings: {
      delivery: {
        retryDelaysMs: options.retryDelaysMs ?? RETRY_DELAYS_MS,
        attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
      },
    },
  });
  running.push(harness);
  return harness;
}

describe('delivery over loopback', () => {
  test('a down, a failing and a hanging endpoint delay nobody, are retried on schedule and get the alert once back', async () => {
    const webhook = await captureServer();
    const slack = await captureServer();
    const matrix = await captureServer();
    const gotifyUrl = await refusedUrl();
    slack.reply({ status: 500, body: 'upstream exploded' });
    matrix.reply('hang');
    const h = startHarness(`
[notify.slack]
hook_url = "${slack.url}/hook"
[notify.gotify]
app_url = "${gotifyUrl}/"
app_token = "secret"
[notify.matrix]
homeserver_url = "${matrix.url}/"
access_token = "secret"
room_id = "!room"
[notify.webhook]
hook_url = "${webhook.url}/hook"
`);
    await h.dispatcher.start();
    h.dispatcher.settled();

    const decidedAt = performance.now();
    h.set(DB_1, 'dead');
    assert.ok(performance.now() - decidedAt < 50, 'the model is never held up by delivery');
    await webhook.waitFor(1);
    const webhookDelayMs = performance.now() - decidedAt;
    assert.ok(
      webhookDelayMs < ATTEMPT_TIMEOUT_MS,
      `the healthy endpoint got the alert after ${webhookDelayMs} ms`,
    );
    const matrixAttempts = (await h.outbox.recentDeliveries({ limit: 10 })).find(
      (each) => each.channel === 'matrix',
    )?.attempts;
    assert.deepEqual(matrixAttempts, [], 'while the hanging endpoint still holds its first attempt');
    assert.equal(JSON.parse(webhook.requests[0]?.body ?? '{}').status, 'dead');

    // Slack answers 500 to Vigil's three attempts, then recovers.
    await slack.waitFor(3);
    slack.reply({ status: 200 });
    // Matrix hangs past the timeout twice, then recovers.
    await matrix.waitFor(2);
    matrix.reply({ status: 200 });
    // Gotify's port refuses connections until something listens there.
    await eventually(async () => {
      const gotify = (await h.outbox.recentDeliveries({ limit: 10 })).find(
        (each) => each.channel === 'gotify',
      );
      return (gotify?.attempts.length ?? 0) >= 3;
    }, 'three refused gotify attempts');
    let gotifyRequests = 0;
    await answerOn(Number(new URL(gotifyUrl).port), () => {
      gotifyRequests += 1;
    });

    await eventually(
      async () =>
        (await h.outbox.recentDeliveries({ limit: 10 })).every((each) => each.status === 'delivered'),
      'every channel delivered',
    );
    const byChannel = new Map(
      (await h.outbox.recentDeliveries({ limit: 10 })).map((each) => [each.channel, each]),
    );

    const slackAttempts = byChannel.get('slack')?.attempts ?? [];
    assert.match(slackAttempts[0]?.error ?? '', /answered HTTP 500: upstream exploded/);
    assert.equal(slackAttempts.at(-1)?.error, undefined);
    const gaps = slackAttempts
      .slice(1)
      .map((attempt, index) => attempt.atMs - (slackAttempts[index]?.atMs ?? 0));
    assert.ok((gaps[0] ?? 0) >= 95 && (gaps[1] ?? 0) >= 95, `Vigil's attempts 2 and 3 wait: ${gaps}`);
    if (slackAttempts.length > 3) assert.ok((gaps[2] ?? 0) >= 295, `then the tail: ${gaps}`);

    assert.match(byChannel.get('gotify')?.attempts[0]?.error ?? '', /ECONNREFUSED/);
    assert.match(byChannel.get('matrix')?.attempts[0]?.error ?? '', /no answer from .* within 1000 ms/);

    // Exactly once each: nothing more arrives after the successful attempt.
    const counts = () => [
      webhook.requests.length,
      slack.requests.length,
      matrix.requests.length,
      gotifyRequests,
    ];
    const settled = counts();
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(counts(), settled);
    assert.equal(webhook.requests.length, 1);
    assert.equal(gotifyRequests, 1);
    assert.equal(
      slack.requests.filter((request) => request.body.includes('dead')).length,
      slack.requests.length,
    );
  });

  test("a channel's alerts go out in order once it is back", async () => {
    const slack = await captureServer();
    slack.reply({ status: 503 });
    const h = startHarness(`[notify.slack]\nhook_url = "${slack.url}/hook"`);
    await h.dispatcher.start();
    h.dispatcher.settled();
    h.set(API_1, 'dead');
    h.set(API_1, 'healthy');
    await slack.waitFor(1);
    slack.reply({ status: 200 });
    await eventually(async () => {
      const all = await h.outbox.recentDeliveries({ limit: 10 });
      return all.length === 2 && all.every((each) => each.status === 'delivered');
    }, 'both alerts delivered');
    const delivered = slack.requests.filter((_request, index) => index > 0).map((request) => request.body);
    assert.equal(delivered.length, 2, 'the failed first attempt, then one request per alert');
    assert.match(delivered[0] ?? '', /changed to: \*dead\*/);
    assert.match(delivered[1] ?? '', /changed to: \*healthy\*/);
  });

  test("after the last scheduled attempt the alert is given up, with Vigil's log line", async () => {
    const slack = await captureServer();
    slack.reply({ status: 500 });
    const h = startHarness(`[notify.slack]\nhook_url = "${slack.url}/hook"`, { retryDelaysMs: [20, 20] });
    await h.dispatcher.start();
    h.dispatcher.settled();
    h.set(DB_1, 'dead');
    await eventually(
      async () => (await h.outbox.recentDeliveries({ limit: 1 }))[0]?.status === 'failed',
      'the delivery to fail for good',
    );
    assert.equal(slack.requests.length, 3, 'Vigil: up to 3 attempts');
    assert.ok(h.logLines.some((line) => line.msg === 'failed dispatching notification to provider: slack'));
  });

  test('a restart mid-delivery delivers the undelivered alert exactly once, and no startup or second dead', async () => {
    const webhook = await captureServer();
    const slack = await captureServer();
    slack.reply({ status: 500 });
    const outbox = new MemoryOutbox();
    const tables = `
[notify.slack]
hook_url = "${slack.url}/hook"
[notify.webhook]
hook_url = "${webhook.url}/hook"`;
    const first = startHarness(tables, { outbox, startup: true, retryDelaysMs: [2000] });
    await first.dispatcher.start();
    first.dispatcher.settled();
    first.set(DB_1, 'dead');
    await slack.waitFor(1);
    await eventually(async () => {
      const delivered = (await outbox.recentDeliveries({ limit: 10 })).filter(
        (each) => each.status === 'delivered',
      );
      return delivered.length === 2;
    }, 'the webhook deliveries');
    // Stopped at once while slack waits for its retry, with the dead alert queued behind the startup.
    await first.stop();
    assert.deepEqual(
      (await outbox.recentDeliveries({ limit: 10 })).map((each) => [
        each.channel,
        each.alert.kind,
        each.status,
      ]),
      [
        ['webhook', 'changed', 'delivered'],
        ['slack', 'changed', 'pending'],
        ['webhook', 'startup', 'delivered'],
        ['slack', 'startup', 'pending'],
      ],
    );

    slack.reply({ status: 200 });
    const second = startHarness(tables, { outbox, startup: true });
    await second.dispatcher.start();
    second.set(DB_1, 'dead');
    second.dispatcher.settled();
    await eventually(
      async () => (await outbox.recentDeliveries({ limit: 10 })).every((each) => each.status === 'delivered'),
      'the pending deliveries',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settle();
    const slackTexts = slack.requests.map((request) => JSON.parse(request.body).text as string);
    assert.equal(slackTexts.length, 3, 'the failed startup attempt, then one delivery of each alert');
    assert.match(slackTexts[1] ?? '', /started up/);
    assert.match(slackTexts[2] ?? '', /changed to: \*dead\*/);
    assert.equal(webhook.requests.length, 2, 'no second startup, no second dead');
  });

  test('stop delivers what is due within its grace', async () => {
    const webhook = await captureServer();
    const h = startHarness(`[notify.webhook]\nhook_url = "${webhook.url}/hook"`);
    await h.dispatcher.start();
    h.dispatcher.settled();
    h.set(DB_1, 'dead');
    await h.dispatcher.stop(1000);
    assert.equal(webhook.requests.length, 1);
  });
});
