import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HealthModel, type RestoredReplica } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { MIXED_PROBES, testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';

function setUp() {
  const clock = new FakeClock();
  const model = new HealthModel(
    buildTopology(testConfig(MIXED_PROBES)),
    { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
    clock,
  );
  const observe = sourcesFor(model, clock);
  return { clock, model, observe };
}

const push = (overrides: Partial<RestoredReplica> = {}): RestoredReplica => ({
  serviceId: 'web',
  nodeId: 'app',
  replicaId: 'host-1',
  mode: 'push',
  intervalSeconds: 30,
  reportAtMs: 0,
  load: { cpu: 0.1, ram: 0.2 },
  health: 'healthy',
  sinceMs: 0,
  ...overrides,
});

describe('restoring push and local replicas', () => {
  test('a push replica comes back with its report, and its deadline runs from that report', () => {
    const { clock, model, observe } = setUp();
    const reportAtMs = clock.now() - 40_000;
    assert.equal(observe.restore(push({ reportAtMs, sinceMs: reportAtMs - 1000 })), 'ok');
    const replica = model.node('web', 'app')?.replicas.get('host-1');
    assert.deepEqual(
      [replica?.health, replica?.report, replica?.load, replica?.sinceMs],
      ['healthy', { atMs: reportAtMs, intervalSeconds: 30 }, { cpu: 0.1, ram: 0.2 }, reportAtMs - 1000],
    );
    clock.advance(9_999);
    assert.equal(replica?.health, 'healthy');
    clock.advance(1);
    assert.equal(replica?.health, 'dead', 'dead at report + interval + push_delay_dead');
  });

  test('a push replica silent past its deadline is dead at once; an overloaded one is sick', () => {
    const { clock, model, observe } = setUp();
    observe.restore(
      push({ replicaId: 'silent', reportAtMs: clock.now() - 3_600_000, health: 'dead', sinceMs: 5 }),
    );
    observe.restore(
      push({ replicaId: 'busy', reportAtMs: clock.now(), load: { cpu: 0.99, ram: 0.1 }, health: 'sick' }),
    );
    const replicas = model.node('web', 'app')?.replicas;
    assert.deepEqual([...(replicas?.keys() ?? [])], ['silent', 'busy']);
    assert.equal(replicas?.get('silent')?.health, 'dead');
    assert.equal(replicas?.get('silent')?.sinceMs, 5);
    assert.equal(replicas?.get('busy')?.health, 'sick');
    assert.equal(model.pageHealth, 'dead');
  });

  test('a local replica keeps its reported health until its deadline, or is dead if it passed', () => {
    const { clock, model, observe } = setUp();
    const local = {
      serviceId: 'internal',
      nodeId: 'gateway',
      mode: 'local' as const,
      intervalSeconds: 60,
      sinceMs: 0,
    };
    observe.restore({
      ...local,
      replicaId: 'fresh',
      reportAtMs: clock.now(),
      reportedHealth: 'sick',
      health: 'sick',
      reason: 'reported sick',
    });
    observe.restore({
      ...local,
      replicaId: 'stale',
      reportAtMs: clock.now() - 100_000,
      reportedHealth: 'healthy',
      health: 'healthy',
    });
    const replicas = model.node('internal', 'gateway')?.replicas;
    assert.equal(replicas?.get('fresh')?.health, 'sick');
    assert.equal(replicas?.get('stale')?.health, 'dead');
    assert.match(replicas?.get('stale')?.reason ?? '', /no report for 100 s/);
    clock.advance(100_000);
    assert.equal(replicas?.get('fresh')?.health, 'dead');
  });

  test('records of unknown nodes or of another mode are refused', () => {
    const { observe } = setUp();
    assert.equal(observe.restore(push({ nodeId: 'gone' })), 'not-found');
    assert.equal(observe.restore(push({ serviceId: 'internal', nodeId: 'gateway' })), 'wrong-mode');
  });
});
