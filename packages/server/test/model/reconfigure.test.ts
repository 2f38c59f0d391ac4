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

/** MIXED_PROBES without the web:api poll node's TCP replica, with a new "cache" service after "web". */
const RELOADED_PROBES = MIXED_PROBES.replace(
  'replicas = ["http://127.0.0.1:1/health", "tcp://127.0.0.1:1"]',
  'replicas = ["http://127.0.0.1:1/health", "tcp://127.0.0.1:2"]',
).replace(
  '[[probe.service]]\nid = "internal"',
  '[[probe.service]]\nid = "cache"\nlabel = "Cache"\n[[probe.service.node]]\nid = "redis"\nlabel = "Redis"\nmode = "poll"\nreplicas = ["tcp://127.0.0.1:3"]\n[[probe.service]]\nid = "internal"',
);

function setup() {
  const clock = new FakeClock();
  const model = new HealthModel(buildTopology(testConfig(MIXED_PROBES)), SETTINGS, clock);
  const observe = sourcesFor(model, clock);
  const events: Array<[keyof HealthModelEvents, unknown]> = [];
  for (const name of ['replica-added', 'replica-removed', 'reconfigured', 'page-changed'] as const) {
    model.events.on(name, (event) => events.push([name, event]));
  }
  return { observe, clock, model, events };
}

test('a reload adds and removes configured replicas and services, and keeps what stayed', () => {
  const { clock, model, events, observe } = setup();
  const startMs = clock.now();
  const kept = { serviceId: 'web', nodeId: 'api', replicaId: 'http://127.0.0.1:1/health' };
  observe.probe(kept, { health: 'sick', latencyMs: 7000, reason: 'slow' });
  assert.equal(observe.push('web', 'app', 'host-1', 30, { cpu: 0.1, ram: 0.1 }), 'ok');
  const keptState = model.node('web', 'api')?.replicas.get(kept.replicaId);
  clock.advance(1000);
  events.length = 0;

  model.reconfigure(buildTopology(testConfig(RELOADED_PROBES)), SETTINGS);

  assert.deepEqual([...model.services.keys()], ['web', 'cache', 'internal']);
  const api = model.node('web', 'api');
  assert.deepEqual([...(api?.replicas.keys() ?? [])], ['http://127.0.0.1:1/health', 'tcp://127.0.0.1:2']);
  // The same state (a view made per read, of the same slot): its health, reason and the time since
  // it has been so are untouched.
  assert.deepEqual(api?.replicas.get(kept.replicaId), keptState);
  assert.equal(keptState?.health, 'sick');
  assert.equal(keptState?.sinceMs, startMs);
  assert.equal(api?.replicas.get('tcp://127.0.0.1:2')?.health, 'healthy');
  assert.equal(model.node('cache', 'redis')?.replicas.get('tcp://127.0.0.1:3')?.health, 'healthy');
  assert.equal(model.node('web', 'app')?.replicas.get('host-1')?.health, 'healthy');
  assert.equal(model.pageHealth, 'sick');
  assert.deepEqual(events, [
    [
      'replica-removed',
      { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://127.0.0.1:1', previous: 'healthy' },
    ],
    ['reconfigured', { atMs: startMs + 1000 }],
    ['replica-added', { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://127.0.0.1:2' }],
    ['replica-added', { serviceId: 'cache', nodeId: 'redis', replicaId: 'tcp://127.0.0.1:3' }],
  ]);
});

test('a push replica that stays keeps its deadline across a reload', () => {
  const { clock, model, observe } = setup();
  observe.push('web', 'app', 'host-1', 30, { cpu: 0.1, ram: 0.1 });
  clock.advance(10_000);
  model.reconfigure(buildTopology(testConfig(RELOADED_PROBES)), SETTINGS);
  // Reported at 0 with interval 30 s + push_delay_dead 20 s: dead at exactly 50 s, reload or not.
  clock.advance(39_999);
  assert.equal(model.node('web', 'app')?.replicas.get('host-1')?.health, 'healthy');
  clock.advance(1);
  assert.equal(model.node('web', 'app')?.replicas.get('host-1')?.health, 'dead');
});

test('a changed push_delay_dead moves pending deadlines, from the same last report', () => {
  const { clock, model, observe } = setup();
  observe.push('web', 'app', 'host-1', 30, { cpu: 0.1, ram: 0.1 });
  clock.advance(10_000);
  model.reconfigure(buildTopology(testConfig(MIXED_PROBES)), { ...SETTINGS, pushDelayDeadSeconds: 5 });
  clock.advance(24_999);
  assert.equal(model.node('web', 'app')?.replicas.get('host-1')?.health, 'healthy');
  clock.advance(1);
  assert.equal(model.node('web', 'app')?.replicas.get('host-1')?.health, 'dead');
});

test('removing a node drops its replicas and their timers, and the page recovers', () => {
  const { clock, model, events, observe } = setup();
  observe.push('web', 'app', 'host-1', 30, { cpu: 0.1, ram: 0.1 });
  clock.advance(50_000);
  const nowMs = clock.now();
  assert.equal(model.pageHealth, 'dead');
  const withoutPush = MIXED_PROBES.replace(
    '[[probe.service.node]]\nid = "app"\nlabel = "App"\nmode = "push"\n',
    '',
  );
  model.reconfigure(buildTopology(testConfig(withoutPush)), SETTINGS);
  assert.equal(model.node('web', 'app'), undefined);
  assert.equal(model.pageHealth, 'healthy');
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual(events.at(-1), [
    'page-changed',
    { subject: null, previous: 'dead', current: 'healthy', atMs: nowMs },
  ]);
});

test('a node whose mode changed starts over in its new mode', () => {
  const { model, observe } = setup();
  observe.push('web', 'app', 'host-1', 30, { cpu: 0.1, ram: 0.1 });
  const asPoll = MIXED_PROBES.replace(
    'id = "app"\nlabel = "App"\nmode = "push"',
    'id = "app"\nlabel = "App"\nmode = "poll"\nreplicas = ["tcp://127.0.0.1:4"]',
  );
  model.reconfigure(buildTopology(testConfig(asPoll)), SETTINGS);
  assert.deepEqual([...(model.node('web', 'app')?.replicas.keys() ?? [])], ['tcp://127.0.0.1:4']);
  assert.equal(observe.push('web', 'app', 'host-1', 30, { cpu: 0.1, ram: 0.1 }), 'wrong-mode');
});
