import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { HealthModel, healthModelSettings, type ReplicaRef } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { createProbers } from '../../src/scheduler/probers.js';
import { systemClock } from '../../src/time/clock.js';
import { testConfig } from '../helpers/config.js';

/**
 * A cluster member's share of the poll replicas (`owns`) and its source address, on the prober
 * thread and on the main thread alike: only the replicas it owns at a round are checked, from the
 * address given.
 */
async function startTarget() {
  const hits: Array<{ path: string; from: string | undefined }> = [];
  const server = createServer((request, response) => {
    hits.push({ path: (request.url ?? '').split('?')[0] ?? '', from: request.socket.remoteAddress });
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, hits };
}

for (const pollInWorker of [true, false]) {
  test(`only owned replicas are probed, from the source address (${pollInWorker ? 'prober thread' : 'main thread'})`, async () => {
    const target = await startTarget();
    const urls = [`${target.origin}/a`, `${target.origin}/b`];
    const config = testConfig(
      `[[probe.service]]\nid = "web"\nlabel = "Web"\n[[probe.service.node]]\nid = "api"\nlabel = "API"\n` +
        `mode = "poll"\nreplicas = ${JSON.stringify(urls)}\n`,
      'poll_retry = 0\n',
    );
    const topology = buildTopology(config);
    const model = new HealthModel(topology, healthModelSettings(config.metrics), systemClock);
    let owned = new Set([urls[0]]);
    const probers = createProbers({
      topology,
      metrics: config.metrics,
      model,
      clock: systemClock,
      pollInWorker,
      owns: (ref: ReplicaRef) => owned.has(ref.replicaId),
      localAddress: '127.0.0.2',
      onJobError: (error) => assert.fail(String(error)),
    });
    after(async () => {
      await probers.poll.stop();
      model.stop();
    });
    await probers.poll.runRound();
    assert.deepEqual(target.hits, [{ path: '/a', from: '127.0.0.2' }]);
    owned = new Set([urls[1]]);
    await probers.poll.runRound();
    assert.deepEqual(
      target.hits.map((hit) => hit.path),
      ['/a', '/b'],
    );
  });
}
