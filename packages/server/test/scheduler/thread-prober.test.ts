import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { createProbers } from '../../src/scheduler/probers.js';
import { ThreadProber } from '../../src/scheduler/worker/thread-prober.js';
import { systemClock } from '../../src/time/clock.js';
import { testConfig } from '../helpers/config.js';
import { waitFor } from '../helpers/vigil.js';

/** A loopback HTTP target whose answers the test decides; counts the requests it got. */
async function startTarget(
  handle: (request: number, response: ServerResponse, incoming: IncomingMessage) => void,
) {
  let requests = 0;
  const server = createServer((incoming, response) => handle(++requests, response, incoming));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, requests: () => requests };
}

/** The probers of `replicas` with poll rounds in the prober thread; sick at 1 s, no retries. */
function threadProbersOver(replicas: string[], metrics = '') {
  const config = testConfig(
    `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ${JSON.stringify(replicas)}
`,
    `poll_delay_sick = 1\npoll_retry = 0\n${metrics}`,
  );
  const topology = buildTopology(config);
  const model = new HealthModel(topology, healthModelSettings(config.metrics), systemClock);
  const log: string[] = [];
  const errors: string[] = [];
  const probers = createProbers({
    topology,
    metrics: config.metrics,
    model,
    clock: systemClock,
    pollInWorker: true,
    onJobError: (error) => assert.fail(String(error)),
    log: (message) => log.push(message),
    logError: (message, error) => errors.push(`${message}: ${String(error)}`),
  });
  const poll = probers.poll;
  assert.ok(poll instanceof ThreadProber, 'poll rounds run in the prober thread');
  after(async () => {
    await poll.stop();
    model.stop();
  });
  const replica = (id: string) => model.services.get('web')?.nodes.get('api')?.replicas.get(id);
  return { poll, replica, log, errors };
}

test('the prober thread checks real loopback targets and its batches reach the model', async () => {
  const target = await startTarget((_, response) => response.end('ok'));
  const { poll, replica } = threadProbersOver([target.url, 'tcp://127.0.0.1:1']);
  await poll.runRound();
  assert.equal(replica(target.url)?.health, 'healthy');
  assert.equal(replica('tcp://127.0.0.1:1')?.health, 'dead');
  assert.equal(target.requests(), 1);
});

test('a target that is slow is still reported sick', async () => {
  // Every answer is slow: a re-probe (the thread may be held by a busy box meanwhile) finds it slow too.
  const target = await startTarget((_, response) => {
    setTimeout(() => response.end('ok'), 1500);
  });
  const { poll, replica } = threadProbersOver([target.url]);
  await poll.runRound();
  assert.equal(replica(target.url)?.health, 'sick');
  assert.match(replica(target.url)?.reason ?? '', /^slow: 1\d{3} ms \(sick at 1 s\)$/);
});

test('a slow result measured while the prober thread was held is re-probed, not reported sick', async () => {
  let poll: ThreadProber | undefined;
  const target = await startTarget((request, response) => {
    if (request > 1) {
      response.end('ok');
      return;
    }
    // The thread is held 1.5 s while this prompt answer waits to be read: it measures ≥ 1.5 s.
    poll?.stallForTest(1500);
    setTimeout(() => response.end('ok'), 200);
  });
  const probers = threadProbersOver([target.url]);
  poll = probers.poll;
  await poll.runRound();
  assert.equal(target.requests(), 2, 'checked once more');
  assert.equal(probers.replica(target.url)?.health, 'healthy');
  assert.equal(probers.log.length, 1);
  assert.match(
    probers.log[0] ?? '',
    /^re-probing web:api:http:\/\/127\.0\.0\.1:\d+\/health: its sick result \(1\d{3} ms\) was measured while the prober thread was held \d+ ms$/,
  );
});

test('a crashed prober thread is restarted with a logged error, and probing goes on', async () => {
  const target = await startTarget((_, response) => response.end('ok'));
  const { poll, errors, log } = threadProbersOver([target.url], 'poll_interval = 1');
  poll.start();
  await waitFor('the first check', () => target.requests() >= 1);
  poll.crashForTest();
  await waitFor('the crash to be logged', () => errors.length === 1);
  assert.match(
    errors[0] ?? '',
    /^the prober thread stopped unexpectedly \(exit code 1\); poll checks restart in 1 s: Error: prober thread crash requested by a test$/,
  );
  const afterCrash = target.requests();
  await waitFor('checks after the restart', () => target.requests() > afterCrash);
  assert.ok(log.includes('the prober thread restarted'));
});
