import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthModelEvents, RestoredReplica } from '../../src/model/health-model.js';
import { MIXED_PROBES } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor, testModel } from '../helpers/model.js';

const S = 1000;
const LOAD = { cpu: 0.1, ram: 0.1 };

/** Push replicas die 30 + 20 s after their report and are forgotten 600 s later; local: 30 + 40, then 300 s. */
function setup(forget: { push?: number; local?: number } = { push: 600, local: 300 }) {
  const clock = new FakeClock();
  const model = testModel(MIXED_PROBES, clock, {
    pushForgetAfterSeconds: forget.push,
    localForgetAfterSeconds: forget.local,
  });
  const observe = sourcesFor(model, clock);
  const removed: Array<HealthModelEvents['replica-removed']> = [];
  const nodeChanges: Array<HealthModelEvents['node-changed']> = [];
  const pageChanges: Array<HealthModelEvents['page-changed']> = [];
  model.events.on('replica-removed', (event) => removed.push(event));
  model.events.on('node-changed', (event) => nodeChanges.push(event));
  model.events.on('page-changed', (event) => pageChanges.push(event));
  return { observe, clock, model, removed, nodeChanges, pageChanges };
}

test('a push replica dead by silence is forgotten exactly push_forget_after after it died', () => {
  const { clock, model, removed, nodeChanges, pageChanges, observe } = setup();
  observe.push('web', 'app', 'gone', 30, LOAD);
  clock.advance(50 * S);
  assert.equal(model.node('web', 'app')?.health, 'dead');
  clock.advance(600 * S - 1);
  assert.equal(model.node('web', 'app')?.replicas.has('gone'), true);
  clock.advance(1);
  assert.equal(model.node('web', 'app')?.replicas.has('gone'), false);
  assert.equal(model.node('web', 'app')?.health, 'healthy');
  assert.equal(model.pageHealth, 'healthy');
  assert.deepEqual(removed, [
    { serviceId: 'web', nodeId: 'app', replicaId: 'gone', previous: 'dead', forgotten: true },
  ]);
  // The change back to healthy says it came from forgetting; the change to dead did not.
  assert.deepEqual(
    nodeChanges.map(({ current, forgotten }) => [current, forgotten]),
    [
      ['dead', undefined],
      ['healthy', true],
    ],
  );
  assert.equal(pageChanges.at(-1)?.forgotten, true);
  assert.equal(clock.pendingTimers, 0);
});

test('a report before the forget age revives the replica and cancels forgetting', () => {
  const { clock, model, removed, observe } = setup();
  observe.push('web', 'app', 'back', 30, LOAD);
  clock.advance(50 * S + 500 * S);
  assert.equal(model.node('web', 'app')?.replicas.get('back')?.health, 'dead');
  observe.push('web', 'app', 'back', 30, LOAD);
  assert.equal(model.node('web', 'app')?.replicas.get('back')?.health, 'healthy');
  clock.advance(200 * S);
  // It went silent again at its new deadline (50 s after the new report), 150 s ago: kept.
  assert.equal(model.node('web', 'app')?.replicas.get('back')?.health, 'dead');
  assert.deepEqual(removed, []);
  clock.advance(450 * S);
  assert.deepEqual(
    removed.map(({ replicaId }) => replicaId),
    ['back'],
  );
});

test('only silence makes a replica forgettable: a reporting replica dead by its queue stays', () => {
  const { clock, model, observe } = setup();
  observe.push('web', 'app', 'stalled', 30, LOAD);
  observe.queue('web', 'app', { loaded: false, stalled: true });
  for (let minute = 0; minute < 30; minute += 1) {
    clock.advance(20 * S);
    observe.push('web', 'app', 'stalled', 30, LOAD);
  }
  assert.equal(model.node('web', 'app')?.replicas.get('stalled')?.health, 'dead');
});

test('a local replica is forgotten after local_forget_after, and never without the key', () => {
  const { clock, model, observe } = setup({ local: 300 });
  observe.local('internal', 'gateway', 'lan-1', 30, 'healthy');
  observe.push('web', 'app', 'kept', 30, LOAD);
  clock.advance(70 * S + 300 * S);
  assert.equal(model.node('internal', 'gateway')?.replicas.size, 0);
  // No push_forget_after: Vigil's behaviour, dead until flushed.
  clock.advance(365 * 24 * 3600 * S);
  assert.equal(model.node('web', 'app')?.replicas.get('kept')?.health, 'dead');
});

test('a flush while waiting to be forgotten cancels the forget timer', () => {
  const { clock, removed, observe } = setup();
  observe.push('web', 'app', 'flushed', 30, LOAD);
  clock.advance(50 * S);
  assert.equal(observe.flush('web', 'app', 'flushed'), 'ok');
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual(
    removed.map(({ forgotten }) => forgotten),
    [undefined],
  );
});

test('restored replicas are forgotten from the time they died, not from the restart', () => {
  const { clock, model, observe } = setup();
  const now = clock.now();
  /** A replica that reported `silentSeconds` ago and has been dead for `deadSeconds`. */
  const silent = (replicaId: string, silentSeconds: number, deadSeconds: number): RestoredReplica => ({
    serviceId: 'web',
    nodeId: 'app',
    replicaId,
    mode: 'push',
    intervalSeconds: 30,
    load: LOAD,
    reportAtMs: now - silentSeconds * S,
    health: 'dead',
    sinceMs: now - deadSeconds * S,
  });
  // Died 10 min + 1 s before the restart: forgotten at once. Died 1 min before: 9 min from now.
  observe.restore(silent('old', 661, 601));
  observe.restore(silent('recent', 110, 60));
  observe.restore({
    ...silent('lan-old', 3600, 3530),
    serviceId: 'internal',
    nodeId: 'gateway',
    mode: 'local',
  });
  clock.advance(0);
  assert.deepEqual([...(model.node('web', 'app')?.replicas.keys() ?? [])], ['recent']);
  assert.equal(model.node('internal', 'gateway')?.replicas.size, 0);
  clock.advance(540 * S - 1);
  assert.equal(model.node('web', 'app')?.replicas.size, 1);
  clock.advance(1);
  assert.equal(model.node('web', 'app')?.replicas.size, 0);
});
