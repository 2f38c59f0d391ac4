import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HEALTH_STATES, type Health, worst } from '../../src/model/health.js';
import type { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { MIXED_PROBES, testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { MODEL_SETTINGS, type Sources, sourcesFor, testModel } from '../helpers/model.js';

const REPLICA_IDS = ['a', 'b', 'c', 'd'];
const POLL_IDS = ['http://127.0.0.1:1/health', 'tcp://127.0.0.1:1'];
const health = fc.constantFrom(...HEALTH_STATES);
const load = fc.record({ cpu: fc.double({ min: 0, max: 1, noNaN: true }), ram: fc.constant(0.1) });

/** Configs a reload switches between: one poll replica replaced, a node gone, a mode changed, a service added. */
const RELOADS = [
  MIXED_PROBES,
  MIXED_PROBES.replace('"tcp://127.0.0.1:1"]', '"tcp://127.0.0.1:2"]'),
  MIXED_PROBES.replace('[[probe.service.node]]\nid = "app"\nlabel = "App"\nmode = "push"\n', ''),
  MIXED_PROBES.replace(
    'id = "gateway"\nlabel = "Gateway"\nmode = "local"',
    'id = "gateway"\nlabel = "Gateway"\nmode = "push"',
  ),
  `${MIXED_PROBES}[[probe.service]]\nid = "extra"\nlabel = "Extra"\n[[probe.service.node]]\nid = "x"\nlabel = "X"\nmode = "poll"\nreplicas = ["tcp://127.0.0.1:3"]\n`,
].map((probes) => buildTopology(testConfig(probes)));

/** Everything that changes a replica, node or service state, as data fast-check can shrink. */
const step = fc.oneof(
  fc.record({
    kind: fc.constant('push' as const),
    id: fc.constantFrom(...REPLICA_IDS),
    interval: fc.integer({ min: 1, max: 30 }),
    load,
  }),
  fc.record({
    kind: fc.constant('local' as const),
    id: fc.constantFrom(...REPLICA_IDS),
    interval: fc.integer({ min: 1, max: 30 }),
    health,
  }),
  fc.record({ kind: fc.constant('probe' as const), id: fc.constantFrom(...POLL_IDS), health }),
  fc.record({ kind: fc.constant('script' as const), health }),
  fc.record({
    kind: fc.constant('flush' as const),
    node: fc.constantFrom('app', 'gateway'),
    id: fc.constantFrom(...REPLICA_IDS),
  }),
  fc.record({
    kind: fc.constant('queue' as const),
    loaded: fc.boolean(),
    stalled: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
  fc.record({
    kind: fc.constant('reload' as const),
    topology: fc.integer({ min: 0, max: RELOADS.length - 1 }),
    pushDelayDeadSeconds: fc.constantFrom(5, 20),
  }),
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function apply(model: HealthModel, observe: Sources, clock: FakeClock, each: Step): void {
  switch (each.kind) {
    case 'push':
      observe.push('web', 'app', each.id, each.interval, each.load);
      return;
    case 'local':
      observe.local('internal', 'gateway', each.id, each.interval, each.health);
      return;
    case 'probe':
      observe.probe(
        { serviceId: 'web', nodeId: 'api', replicaId: each.id },
        { health: each.health, latencyMs: 1 },
      );
      return;
    case 'script':
      observe.probe(
        { serviceId: 'internal', nodeId: 'jobs', replicaId: '0' },
        { health: each.health, latencyMs: 1 },
      );
      return;
    case 'flush':
      observe.flush(each.node === 'app' ? 'web' : 'internal', each.node, each.id);
      return;
    case 'queue':
      observe.queue('web', 'app', { loaded: each.loaded, stalled: each.stalled });
      return;
    case 'advance':
      clock.advance(each.ms);
      return;
    case 'reload': {
      const topology = RELOADS[each.topology] ?? RELOADS[0];
      if (topology)
        model.reconfigure(topology, { ...MODEL_SETTINGS, pushDelayDeadSeconds: each.pushDelayDeadSeconds });
    }
  }
}

function tally(states: Iterable<Health>): Record<Health, number> {
  const counts: Record<Health, number> = { healthy: 0, sick: 0, dead: 0 };
  for (const state of states) counts[state] += 1;
  return counts;
}

const countsOf = (counts: { of(state: Health): number }) =>
  Object.fromEntries(HEALTH_STATES.map((state) => [state, counts.of(state)]));

/** The kept counts and healths against a recomputation from the replicas, from scratch. */
function assertCountsExact(model: HealthModel): void {
  const serviceHealths: Health[] = [];
  for (const service of model.services.values()) {
    const nodeHealths: Health[] = [];
    for (const node of service.nodes.values()) {
      const replicaHealths = [...node.replicas.values()].map((replica) => replica.health);
      assert.deepEqual(countsOf(node.counts), tally(replicaHealths), `counts of ${node.spec.id}`);
      assert.equal(node.health, worst(replicaHealths), `health of ${node.spec.id}`);
      nodeHealths.push(node.health);
    }
    assert.deepEqual(countsOf(service.counts), tally(nodeHealths), `counts of ${service.spec.id}`);
    assert.equal(service.health, worst(nodeHealths), `health of ${service.spec.id}`);
    serviceHealths.push(service.health);
  }
  assert.deepEqual(countsOf(model.pageCounts), tally(serviceHealths), 'page counts');
  assert.equal(model.pageHealth, worst(serviceHealths), 'page health');
}

test('kept counts equal a recomputation from scratch after any sequence of changes', () => {
  fc.assert(
    fc.property(
      fc.array(step, { maxLength: 60 }),
      fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
      (steps, forgetAfterSeconds) => {
        const clock = new FakeClock();
        const model = testModel(MIXED_PROBES, clock, {
          pushForgetAfterSeconds: forgetAfterSeconds,
          localForgetAfterSeconds: forgetAfterSeconds,
        });
        const observe = sourcesFor(model, clock);
        for (const each of steps) {
          apply(model, observe, clock, each);
          assertCountsExact(model);
        }
        model.stop();
      },
    ),
    { numRuns: 300 },
  );
});
