import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IncidentTracker } from '../../src/incidents/tracker.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import type { Incident } from '../../src/store/types.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';

const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["tcp://a:1", "tcp://b:1"]
[[probe.service.node]]
id = "db"
label = "DB"
mode = "poll"
replicas = ["tcp://c:1"]
`;
const A = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://a:1' };
const B = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://b:1' };
const C = { serviceId: 'web', nodeId: 'db', replicaId: 'tcp://c:1' };

function setUp() {
  const clock = new FakeClock();
  const model = new HealthModel(
    buildTopology(testConfig(PROBES)),
    { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
    clock,
  );
  const observe = sourcesFor(model, clock);
  /** The latest saved version of each incident. */
  const saved = new Map<string, Incident>();
  let ids = 0;
  const tracker = new IncidentTracker(
    model,
    (incident) => saved.set(incident.id, structuredClone(incident)),
    () => `i${++ids}`,
  );
  model.events.on('replica-changed', ({ subject, current, reason, atMs }) =>
    tracker.replicaChanged(subject, current, reason, atMs),
  );
  model.events.on('node-changed', ({ subject, current, atMs }) =>
    tracker.nodeChanged(subject.serviceId, subject.nodeId, current, atMs),
  );
  model.events.on('page-changed', ({ current, atMs }) => tracker.pageChanged(current, atMs));
  return { observe, clock, model, tracker, saved };
}

describe('incidents', () => {
  test('a node incident opens on the first failure, worsens, gathers replicas and reasons, and closes', () => {
    const { clock, saved, observe } = setUp();
    const start = clock.now();
    observe.probe(A, { health: 'sick', latencyMs: 900, reason: 'slow: 900 ms' });
    clock.advance(60_000);
    observe.probe(B, { health: 'dead', latencyMs: 10_000, reason: 'timed out' });
    clock.advance(60_000);
    observe.probe(A, { health: 'healthy', latencyMs: 10 });
    observe.probe(B, { health: 'healthy', latencyMs: 10 });
    const node = saved.get('i1');
    assert.deepEqual(node, {
      id: 'i1',
      scope: 'node',
      serviceId: 'web',
      nodeId: 'api',
      startedAtMs: start,
      endedAtMs: start + 120_000,
      worst: 'dead',
      replicas: ['web:api:tcp://a:1', 'web:api:tcp://b:1'],
      reasons: [
        { replica: 'web:api:tcp://a:1', reason: 'slow: 900 ms', atMs: start },
        { replica: 'web:api:tcp://b:1', reason: 'timed out', atMs: start + 60_000 },
      ],
    });
    const page = saved.get('i2');
    assert.deepEqual(
      [page?.scope, page?.worst, page?.startedAtMs, page?.endedAtMs],
      ['page', 'dead', start, start + 120_000],
    );
  });

  test('the page incident lasts while any node is unhealthy and names replicas of every node', () => {
    const { clock, saved, observe } = setUp();
    observe.probe(A, { health: 'dead', latencyMs: 1, reason: 'refused' });
    clock.advance(1000);
    observe.probe(C, { health: 'sick', latencyMs: 1, reason: 'slow' });
    clock.advance(1000);
    observe.probe(A, { health: 'healthy', latencyMs: 1 });
    const page = [...saved.values()].find((each) => each.scope === 'page');
    assert.equal(page?.endedAtMs, undefined);
    assert.deepEqual(page?.replicas, ['web:api:tcp://a:1', 'web:db:tcp://c:1']);
    clock.advance(1000);
    observe.probe(C, { health: 'healthy', latencyMs: 1 });
    assert.equal([...saved.values()].find((each) => each.scope === 'page')?.endedAtMs, clock.now());
    assert.equal([...saved.values()].filter((each) => each.scope === 'node').length, 2);
  });

  test('an incident left open by the previous run continues, and closes once the node is checked healthy', () => {
    const { clock, tracker, saved, observe } = setUp();
    const leftOpen: Incident = {
      id: 'old',
      scope: 'node',
      serviceId: 'web',
      nodeId: 'api',
      startedAtMs: clock.now() - 3_600_000,
      worst: 'sick',
      replicas: ['web:api:tcp://a:1'],
      reasons: [],
    };
    const gone: Incident = { ...leftOpen, id: 'gone', nodeId: 'removed-from-config' };
    tracker.restore([leftOpen, gone], clock.now());
    assert.equal(saved.get('gone')?.endedAtMs, clock.now(), 'a node no longer configured ends it');

    tracker.reconcile(clock.now());
    assert.equal(saved.has('old'), false, 'boot-time "healthy" is not the truth yet');
    observe.probe(A, { health: 'dead', latencyMs: 1, reason: 'refused' });
    assert.equal(saved.get('old')?.worst, 'dead', 'the same incident goes on');
    clock.advance(5000);
    observe.probe(A, { health: 'healthy', latencyMs: 1 });
    observe.probe(B, { health: 'healthy', latencyMs: 1 });
    assert.equal(saved.get('old')?.endedAtMs, clock.now());
  });

  test('a left-open incident whose node comes back healthy after the restart closes at reconciliation', () => {
    const { clock, tracker, saved, observe } = setUp();
    tracker.restore(
      [
        {
          id: 'old',
          scope: 'node',
          serviceId: 'web',
          nodeId: 'db',
          startedAtMs: 0,
          worst: 'dead',
          replicas: [],
          reasons: [],
        },
      ],
      clock.now(),
    );
    observe.probe(C, { health: 'healthy', latencyMs: 1 });
    tracker.reconcile(clock.now());
    assert.equal(saved.get('old')?.endedAtMs, clock.now());
  });
});
