import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import type { IcmpMethod } from '../../src/probes/index.js';
import { createProbers, POLL_REPLICAS_FOR_THREAD } from '../../src/scheduler/probers.js';
import { ThreadProber } from '../../src/scheduler/worker/thread-prober.js';
import { systemClock } from '../../src/time/clock.js';
import { testConfig } from '../helpers/config.js';

const node = (replicas: string[]) => `
[[probe.service]]
id = "net"
label = "Network"
[[probe.service.node]]
id = "gw"
label = "Gateway"
mode = "poll"
replicas = ${JSON.stringify(replicas)}
`;

/** Builds the probers over the config's `[probe]` text; returns the model and the log. */
function probersFor(
  probes: string,
  metrics: string,
  options: Partial<Parameters<typeof createProbers>[0]> = {},
) {
  const config = testConfig(probes, metrics);
  const topology = buildTopology(config);
  const model = new HealthModel(topology, healthModelSettings(config.metrics), systemClock);
  const log: string[] = [];
  const probers = createProbers({
    topology,
    metrics: config.metrics,
    model,
    clock: systemClock,
    onJobError: (error) => assert.fail(String(error)),
    log: (message) => log.push(message),
    ...options,
  });
  return { model, probers, log };
}

/** Builds the probers over `replicas` with a stand-in ICMP method; returns the model and the log. */
function probersOver(replicas: string[], pinged: string[], metrics = 'poll_parallelism = 1') {
  const icmp: IcmpMethod = {
    ping: async (address) => {
      pinged.push(address);
      return 3.7;
    },
    concurrent: true,
    description: 'ICMP through the stand-in',
  };
  return probersFor(node(replicas), metrics, { icmp });
}

test('ICMP replicas ping through the method given, which is logged once at start', async () => {
  const pinged: string[] = [];
  const { model, probers, log } = probersOver(['icmp://127.0.0.1', 'icmp://127.0.0.2'], pinged);
  assert.deepEqual(log, ['ICMP through the stand-in']);
  // The round spreads its starts on the clock's unref'd timers: something must keep the process alive.
  const keepAlive = setInterval(() => {}, 60_000);
  await probers.poll.runRound();
  clearInterval(keepAlive);
  assert.deepEqual(pinged, ['127.0.0.1', '127.0.0.2']);
  const replica = model.services.get('net')?.nodes.get('gw')?.replicas.get('icmp://127.0.0.1');
  assert.equal(replica?.health, 'healthy');
  assert.equal(replica?.latencyMs, 3);
  model.stop();
});

test('without ICMP replicas nothing about ICMP is logged', () => {
  const { model, log } = probersOver(['tcp://127.0.0.1:1'], []);
  assert.deepEqual(log, []);
  model.stop();
});

test('on the main thread too, a slow result measured while the loop was held is re-probed', async () => {
  let requests = 0;
  const server = createServer((_, response) => {
    requests++;
    response.end('ok');
    // The first answer is sent at once, then this thread is held: the check reads it 1.5 s late.
    if (requests === 1) {
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        // Spinning on purpose: a page render or a report burst.
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { model, probers, log } = probersOver([url], [], 'poll_delay_sick = 1\npoll_retry = 0');
  await probers.poll.runRound();
  server.close();
  model.stop();
  assert.equal(requests, 2);
  assert.equal(model.services.get('net')?.nodes.get('gw')?.replicas.get(url)?.health, 'healthy');
  assert.match(
    log[0] ?? '',
    /^re-probing net:gw:http:\/\/127\.0\.0\.1:\d+\/: its sick result \(1\d{3} ms\) was measured while this thread was held \d+ ms$/,
  );
});

test('without poll replicas no prober thread is started, even with poll_in_worker', async () => {
  const push = `
[[probe.service]]
id = "apps"
label = "Apps"
[[probe.service.node]]
id = "api"
label = "API"
mode = "push"
`;
  const { model, probers } = probersFor(push, '', { pollInWorker: true });
  assert.equal(probers.poll instanceof ThreadProber, false);
  probers.poll.start();
  await probers.poll.stop();
  model.stop();
});

test('unless poll_in_worker says, poll checks get a thread from POLL_REPLICAS_FOR_THREAD poll replicas on', () => {
  const replicas = (count: number) =>
    Array.from({ length: count }, (_, index) => `tcp://127.0.0.1:${index + 1}`);
  const threaded = (count: number, options: { pollInWorker?: boolean } = {}) => {
    const { model, probers } = probersFor(node(replicas(count)), '', options);
    model.stop();
    return probers.poll instanceof ThreadProber;
  };
  assert.equal(threaded(2), false);
  assert.equal(threaded(POLL_REPLICAS_FOR_THREAD - 1), false);
  assert.equal(threaded(POLL_REPLICAS_FOR_THREAD), true);
  assert.equal(threaded(2, { pollInWorker: true }), true);
  assert.equal(threaded(POLL_REPLICAS_FOR_THREAD, { pollInWorker: false }), false);
});
