import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthModel, type HealthModelEvents } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { MIXED_PROBES, testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';

const SETTINGS = {
  pushDelayDeadSeconds: 20,
  localDelayDeadSeconds: 40,
  pushCpuSickAbove: 0.9,
  pushRamSickAbove: 0.9,
};

function setup() {
  const clock = new FakeClock();
  const model = new HealthModel(buildTopology(testConfig(MIXED_PROBES)), SETTINGS, clock);
  const observe = sourcesFor(model, clock);
  const events: Array<[keyof HealthModelEvents, unknown]> = [];
  for (const name of ['replica-changed', 'node-changed', 'service-changed', 'page-changed'] as const) {
    model.events.on(name, (event) => events.push([name, event]));
  }
  return { observe, clock, model, events };
}

test('starts like Vigil: configured replicas healthy and unchecked, push and local nodes empty', () => {
  const { model } = setup();
  assert.equal(model.pageHealth, 'healthy');
  const api = model.node('web', 'api');
  assert.deepEqual([...(api?.replicas.keys() ?? [])], ['http://127.0.0.1:1/health', 'tcp://127.0.0.1:1']);
  assert.equal(api?.replicas.get('tcp://127.0.0.1:1')?.checkedAtMs, undefined);
  assert.equal(model.node('web', 'app')?.replicas.size, 0);
  assert.equal(model.node('internal', 'gateway')?.replicas.size, 0);
  assert.deepEqual([...(model.node('internal', 'jobs')?.replicas.keys() ?? [])], ['0']);
  assert.equal(model.updatedAtMs, undefined);
});

test('worst wins upward and each level emits its change once', () => {
  const { model, events, observe } = setup();
  const ref = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://127.0.0.1:1' };
  observe.probe(ref, { health: 'sick', latencyMs: 6000, reason: 'slow' });
  assert.equal(model.node('web', 'api')?.health, 'sick');
  assert.equal(model.services.get('web')?.health, 'sick');
  assert.equal(model.pageHealth, 'sick');
  observe.probe(
    { ...ref, replicaId: 'http://127.0.0.1:1/health' },
    { health: 'dead', latencyMs: 3, reason: 'connection refused' },
  );
  assert.equal(model.pageHealth, 'dead');
  assert.deepEqual(
    events.map(([name]) => name),
    [
      'replica-changed',
      'node-changed',
      'service-changed',
      'page-changed',
      'replica-changed',
      'node-changed',
      'service-changed',
      'page-changed',
    ],
  );
  assert.deepEqual(model.deadReplicaPaths(), ['web:api:http://127.0.0.1:1/health']);
  assert.equal(
    model.node('web', 'api')?.replicas.get('http://127.0.0.1:1/health')?.reason,
    'connection refused',
  );
  // The same result again changes nothing.
  events.length = 0;
  observe.probe({ ...ref, replicaId: 'http://127.0.0.1:1/health' }, { health: 'dead', latencyMs: 4 });
  assert.deepEqual(events, []);
});

test('a push replica appears on its first report and dies at exactly interval + push_delay_dead', () => {
  const { clock, model, events, observe } = setup();
  assert.equal(observe.push('web', 'app', '10.0.0.1', 30, { cpu: 0.2, ram: 0.3 }), 'ok');
  const replica = model.node('web', 'app')?.replicas.get('10.0.0.1');
  assert.equal(replica?.health, 'healthy');
  clock.advance(49_999);
  assert.equal(replica?.health, 'healthy');
  clock.advance(1);
  assert.equal(replica?.health, 'dead');
  assert.equal(replica?.reason, 'no report for 50 s (interval 30 s + push_delay_dead 20 s)');
  assert.equal(model.pageHealth, 'dead');
  assert.deepEqual(events.at(-1)?.[0], 'page-changed');
});

test('each push report pushes the deadline back and a new report revives a dead replica', () => {
  const { clock, model, observe } = setup();
  observe.push('web', 'app', 'a', 10, { cpu: 0.1, ram: 0.1 });
  clock.advance(29_000);
  observe.push('web', 'app', 'a', 10, { cpu: 0.1, ram: 0.1 });
  clock.advance(29_000);
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'healthy');
  clock.advance(1_000);
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'dead');
  observe.push('web', 'app', 'a', 10, { cpu: 0.1, ram: 0.1 });
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'healthy');
  assert.equal(model.pageHealth, 'healthy');
});

test('push CPU or RAM strictly above the threshold is sick; the queue flags count only while healthy', () => {
  const { model, observe } = setup();
  observe.push('web', 'app', 'a', 30, { cpu: 0.9, ram: 0.9 });
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'healthy');
  observe.push('web', 'app', 'a', 30, { cpu: 0.91, ram: 0.1 });
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'sick');
  assert.match(model.node('web', 'app')?.replicas.get('a')?.reason ?? '', /CPU load 91% above 90%/);
  observe.queue('web', 'app', { loaded: true, stalled: true });
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'sick');
  observe.push('web', 'app', 'a', 30, { cpu: 0.1, ram: 0.95 });
  assert.match(model.node('web', 'app')?.replicas.get('a')?.reason ?? '', /RAM use 95%/);
  observe.push('web', 'app', 'a', 30, { cpu: 0.1, ram: 0.1 });
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'dead');
  observe.queue('web', 'app', { loaded: true, stalled: false });
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'sick');
  observe.queue('web', 'app', { loaded: false, stalled: false });
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'healthy');
});

test('a local replica takes the reported health and dies at interval + local_delay_dead', () => {
  const { clock, model, observe } = setup();
  assert.equal(observe.local('internal', 'gateway', 'icmp://10.0.0.1', 120, 'sick'), 'ok');
  const replica = model.node('internal', 'gateway')?.replicas.get('icmp://10.0.0.1');
  assert.equal(replica?.health, 'sick');
  clock.advance(159_999);
  assert.equal(replica?.health, 'sick');
  clock.advance(1);
  assert.equal(replica?.health, 'dead');
  assert.match(replica?.reason ?? '', /local_delay_dead 40 s/);
  observe.local('internal', 'gateway', 'icmp://10.0.0.1', 120, 'healthy');
  assert.equal(replica?.health, 'healthy');
  assert.equal(replica?.reason, undefined);
});

test('reports to the wrong node or mode change nothing', () => {
  const { model, events, observe } = setup();
  assert.equal(observe.push('web', 'nope', 'a', 30, { cpu: 0, ram: 0 }), 'not-found');
  assert.equal(observe.push('nope', 'app', 'a', 30, { cpu: 0, ram: 0 }), 'not-found');
  assert.equal(observe.push('internal', 'gateway', 'a', 30, { cpu: 0, ram: 0 }), 'wrong-mode');
  assert.equal(observe.local('web', 'app', 'a', 30, 'dead'), 'wrong-mode');
  assert.equal(observe.local('web', 'api', 'a', 30, 'dead'), 'wrong-mode');
  assert.equal(observe.flush('web', 'api', 'tcp://127.0.0.1:1'), 'wrong-mode');
  assert.equal(observe.flush('web', 'app', 'never-reported'), 'not-found');
  assert.equal(model.node('web', 'app')?.replicas.size, 0);
  assert.equal(model.node('internal', 'gateway')?.replicas.size, 0);
  assert.deepEqual(events, []);
});

test('flushing the only dead replica makes the node healthy again and cancels its deadline', () => {
  const { clock, model, observe } = setup();
  observe.push('web', 'app', 'a', 10, { cpu: 0, ram: 0 });
  observe.push('web', 'app', 'b', 10, { cpu: 0, ram: 0 });
  clock.advance(30_000);
  assert.equal(model.pageHealth, 'dead');
  observe.push('web', 'app', 'b', 10, { cpu: 0, ram: 0 });
  assert.equal(observe.flush('web', 'app', 'a'), 'ok');
  assert.equal(model.pageHealth, 'healthy');
  observe.push('web', 'app', 'a', 10, { cpu: 0, ram: 0 });
  assert.deepEqual(
    [...(model.node('web', 'app')?.replicas.keys() ?? [])],
    ['b', 'a'],
    'a re-added replica goes last',
  );
  observe.flush('web', 'app', 'a');
  observe.flush('web', 'app', 'b');
  assert.equal(clock.pendingTimers, 0);
});

test('a huge push interval does not overflow the timer into an instant death', () => {
  const { clock, model, observe } = setup();
  observe.push('web', 'app', 'a', 40 * 24 * 3600, { cpu: 0, ram: 0 });
  clock.advance(30 * 24 * 3600 * 1000);
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'healthy');
  clock.advance(10 * 24 * 3600 * 1000 + 20_000);
  assert.equal(model.node('web', 'app')?.replicas.get('a')?.health, 'dead');
});

test('a throwing listener does not stop the model or other listeners', () => {
  const errors: unknown[] = [];
  const clock = new FakeClock();
  const model = new HealthModel(buildTopology(testConfig(MIXED_PROBES)), SETTINGS, clock, (error) =>
    errors.push(error),
  );
  const observe = sourcesFor(model, clock);
  let seen = 0;
  model.events.on('replica-changed', () => {
    throw new Error('boom');
  });
  model.events.on('replica-changed', () => seen++);
  observe.probe({ serviceId: 'internal', nodeId: 'jobs', replicaId: '0' }, { health: 'dead', latencyMs: 1 });
  assert.equal(seen, 1);
  assert.equal(errors.length, 1);
  assert.equal(model.pageHealth, 'dead');
});
