import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import type { IcmpMethod } from '../../src/probes/index.js';
import { createProbers } from '../../src/scheduler/probers.js';
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

/** Builds the probers over `replicas` with a stand-in ICMP method; returns the model and the log. */
function probersOver(replicas: string[], pinged: string[]) {
  const config = testConfig(node(replicas), 'poll_parallelism = 1');
  const topology = buildTopology(config);
  const model = new HealthModel(topology, healthModelSettings(config.metrics), systemClock);
  const icmp: IcmpMethod = {
    ping: async (address) => {
      pinged.push(address);
      return 3.7;
    },
    concurrent: true,
    description: 'ICMP through the stand-in',
  };
  const log: string[] = [];
  const probers = createProbers({
    topology,
    metrics: config.metrics,
    model,
    clock: systemClock,
    onJobError: (error) => assert.fail(String(error)),
    icmp,
    log: (message) => log.push(message),
  });
  return { model, probers, log };
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
