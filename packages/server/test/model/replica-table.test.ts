import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIXED_PROBES } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testModel } from '../helpers/model.js';

const APP = { serviceId: 'web', nodeId: 'app' };
const host = (index: number) => ({ ...APP, replicaId: `host-${index}` });
const LOAD = { cpu: 0.1, ram: 0.2 };

/** A push node of `count` replicas, each reporting once, 1 s apart. */
function pushNode(count: number) {
  const clock = new FakeClock();
  const startMs = clock.now();
  const model = testModel(MIXED_PROBES, clock);
  for (let index = 0; index < count; index++) {
    model.apply({ kind: 'push', subject: host(index), atMs: clock.now(), intervalSeconds: 30, load: LOAD });
    clock.advance(1000);
  }
  return { clock, model, startMs };
}

test('a node past eight replicas keeps them in the order they came, finds and removes each by id', () => {
  const { clock, model, startMs } = pushNode(12);
  const flushed = [0, 5, 11];
  for (const index of flushed) {
    assert.equal(model.apply({ kind: 'flush', subject: host(index), atMs: clock.now() }), 'ok');
  }
  const kept = Array.from({ length: 12 }, (_, index) => index).filter((index) => !flushed.includes(index));
  const node = model.node('web', 'app');
  assert.deepEqual(
    [...(node?.replicas.keys() ?? [])],
    kept.map((index) => `host-${index}`),
  );
  assert.equal(node?.replicas.size, 9);
  assert.equal(node?.replicas.has('host-5'), false);
  assert.equal(node?.replicas.get('host-7')?.report?.atMs, startMs + 7000);
});

test('a removed replica slot taken by a new one starts it afresh, and the node lists it last', () => {
  const { clock, model } = pushNode(3);
  model.apply({
    kind: 'push',
    subject: host(1),
    atMs: clock.now(),
    intervalSeconds: 30,
    load: { cpu: 0.99, ram: 0.1 },
  });
  assert.equal(model.replica(host(1))?.health, 'sick');
  assert.equal(model.apply({ kind: 'flush', subject: host(1), atMs: clock.now() }), 'ok');
  clock.advance(1000);
  model.apply({ kind: 'push', subject: host(9), atMs: clock.now(), intervalSeconds: 60, load: LOAD });
  const fresh = model.replica(host(9));
  assert.equal(fresh?.health, 'healthy');
  assert.equal(fresh?.reason, undefined);
  assert.equal(fresh?.latencyMs, undefined);
  assert.equal(fresh?.sinceMs, clock.now());
  assert.deepEqual(fresh?.report, { atMs: clock.now(), intervalSeconds: 60 });
  assert.deepEqual([...(model.node('web', 'app')?.replicas.keys() ?? [])], ['host-0', 'host-2', 'host-9']);
  assert.equal(model.replica(host(1)), undefined);
});

test('a view is live: read after a change, it shows the change', () => {
  const clock = new FakeClock();
  const model = testModel(MIXED_PROBES, clock);
  const api = { serviceId: 'web', nodeId: 'api', replicaId: 'http://127.0.0.1:1/health' };
  const view = model.replica(api);
  assert.equal(view?.checkedAtMs, undefined);
  model.apply({
    kind: 'probe',
    subject: api,
    atMs: clock.now(),
    health: 'dead',
    latencyMs: 12.5,
    reason: 'refused',
  });
  assert.equal(view?.health, 'dead');
  assert.equal(view?.reason, 'refused');
  assert.equal(view?.latencyMs, 12.5);
  assert.equal(view?.checkedAtMs, clock.now());
  assert.deepEqual(JSON.parse(JSON.stringify(view)), {
    id: api.replicaId,
    health: 'dead',
    reason: 'refused',
    latencyMs: 12.5,
    checkedAtMs: clock.now(),
    sinceMs: clock.now(),
  });
});
