import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ZodError } from 'zod';
import type { HealthModelEvents } from '../../src/model/health-model.js';
import {
  type Observation,
  parseObservation,
  type ReplicaRef,
  serializeObservation,
} from '../../src/model/observation.js';
import { MIXED_PROBES } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testModel } from '../helpers/model.js';

const API = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://127.0.0.1:1' };
const APP = { serviceId: 'web', nodeId: 'app' };
const HOST = { ...APP, replicaId: 'host-1' };
const LAN = { serviceId: 'internal', nodeId: 'gateway', replicaId: 'lan-1' };
const LOAD = { cpu: 0.1, ram: 0.2 };

function setup() {
  const clock = new FakeClock();
  // Push replicas die 30 + 20 s after their report, local ones 30 + 40 s after.
  const model = testModel(MIXED_PROBES, clock);
  const observed: Array<HealthModelEvents['replica-observed']> = [];
  model.events.on('replica-observed', (event) => observed.push(event));
  return { clock, model, observed };
}

test('a probe observation sets the check time to when it was observed; its event carries the model time', () => {
  const { clock, model, observed } = setup();
  const atMs = clock.now() - 5000;
  const outcome = model.apply({
    kind: 'probe',
    subject: API,
    atMs,
    health: 'sick',
    latencyMs: 900,
    reason: 'slow',
  });
  assert.equal(outcome, 'ok');
  const replica = model.replica(API);
  assert.equal(replica?.checkedAtMs, atMs);
  assert.equal(replica?.health, 'sick');
  assert.equal(replica?.reason, 'slow');
  assert.equal(replica?.latencyMs, 900);
  assert.deepEqual(observed, [{ ...API, health: 'sick', latencyMs: 900, atMs: clock.now() }]);
});

test('a push deadline runs from the report time the observation carries, not from when it arrived', () => {
  const { clock, model } = setup();
  const atMs = clock.now() - 10_000;
  assert.equal(model.apply({ kind: 'push', subject: HOST, atMs, intervalSeconds: 30, load: LOAD }), 'ok');
  assert.deepEqual(model.replica(HOST)?.report, { atMs, intervalSeconds: 30 });
  clock.advance(39_999);
  assert.equal(model.replica(HOST)?.health, 'healthy');
  clock.advance(1);
  assert.equal(model.replica(HOST)?.health, 'dead');
  assert.match(model.replica(HOST)?.reason ?? '', /no report for 50 s/);
});

test('a local deadline too: report time + interval + local_delay_dead', () => {
  const { clock, model } = setup();
  const atMs = clock.now() - 60_000;
  model.apply({ kind: 'local', subject: LAN, atMs, intervalSeconds: 30, health: 'healthy' });
  clock.advance(9_999);
  assert.equal(model.replica(LAN)?.health, 'healthy');
  clock.advance(1);
  assert.equal(model.replica(LAN)?.health, 'dead');
});

test('an observation from the future counts as made now', () => {
  const { clock, model } = setup();
  model.apply({
    kind: 'push',
    subject: HOST,
    atMs: clock.now() + 3_600_000,
    intervalSeconds: 30,
    load: LOAD,
  });
  assert.equal(model.replica(HOST)?.report?.atMs, clock.now());
  clock.advance(50_000);
  assert.equal(model.replica(HOST)?.health, 'dead');
});

test('a probe result older than the last one taken is stale and changes nothing', () => {
  const { clock, model, observed } = setup();
  const now = clock.now();
  model.apply({ kind: 'probe', subject: API, atMs: now, health: 'dead', latencyMs: 1, reason: 'refused' });
  const late = model.apply({ kind: 'probe', subject: API, atMs: now - 1, health: 'healthy', latencyMs: 2 });
  assert.equal(late, 'stale');
  assert.equal(model.replica(API)?.health, 'dead');
  assert.equal(model.replica(API)?.latencyMs, 1);
  assert.equal(model.replica(API)?.checkedAtMs, now);
  assert.equal(observed.length, 1);
  // One taken at the same time is not older: it applies.
  assert.equal(
    model.apply({ kind: 'probe', subject: API, atMs: now, health: 'healthy', latencyMs: 3 }),
    'ok',
  );
  assert.equal(model.replica(API)?.health, 'healthy');
});

test('a late push report neither overwrites the newer load nor moves the deadline back', () => {
  const { clock, model } = setup();
  const now = clock.now();
  model.apply({ kind: 'push', subject: HOST, atMs: now, intervalSeconds: 30, load: LOAD });
  const late = model.apply({
    kind: 'push',
    subject: HOST,
    atMs: now - 20_000,
    intervalSeconds: 30,
    load: { cpu: 0.99, ram: 0.2 },
  });
  assert.equal(late, 'stale');
  assert.equal(model.replica(HOST)?.health, 'healthy');
  assert.deepEqual(model.replica(HOST)?.load, LOAD);
  assert.equal(model.replica(HOST)?.report?.atMs, now);
  clock.advance(49_999);
  assert.equal(model.replica(HOST)?.health, 'healthy');
  clock.advance(1);
  assert.equal(model.replica(HOST)?.health, 'dead');
});

test('after the wall clock steps back, fresh reports and probe results are taken, not stale', () => {
  const { clock, model } = setup();
  model.apply({ kind: 'push', subject: HOST, atMs: clock.now(), intervalSeconds: 30, load: LOAD });
  model.apply({ kind: 'probe', subject: API, atMs: clock.now(), health: 'healthy', latencyMs: 3 });
  clock.stepWallClock(-3_600_000);
  const report = model.apply({
    kind: 'push',
    subject: HOST,
    atMs: clock.now(),
    intervalSeconds: 30,
    load: LOAD,
  });
  assert.equal(report, 'ok');
  assert.equal(model.replica(HOST)?.report?.atMs, clock.now());
  const probe = model.apply({
    kind: 'probe',
    subject: API,
    atMs: clock.now(),
    health: 'dead',
    reason: 'refused',
    latencyMs: 5,
  });
  assert.equal(probe, 'ok');
  assert.equal(model.replica(API)?.health, 'dead');
  // The report just taken keeps the replica alive for its full interval + delay.
  clock.advance(49_999);
  assert.equal(model.replica(HOST)?.health, 'healthy');
  model.apply({ kind: 'push', subject: HOST, atMs: clock.now(), intervalSeconds: 30, load: LOAD });
  clock.advance(49_999);
  assert.equal(model.replica(HOST)?.health, 'healthy');
});

test('a late local report is stale too', () => {
  const { clock, model } = setup();
  const now = clock.now();
  model.apply({ kind: 'local', subject: LAN, atMs: now, intervalSeconds: 30, health: 'sick' });
  assert.equal(
    model.apply({ kind: 'local', subject: LAN, atMs: now - 1, intervalSeconds: 30, health: 'healthy' }),
    'stale',
  );
  assert.equal(model.replica(LAN)?.health, 'sick');
});

test('a flush sent before the last report does not remove the replica that reported again', () => {
  const { clock, model } = setup();
  const now = clock.now();
  model.apply({ kind: 'push', subject: HOST, atMs: now, intervalSeconds: 30, load: LOAD });
  assert.equal(model.apply({ kind: 'flush', subject: HOST, atMs: now - 1 }), 'stale');
  assert.ok(model.replica(HOST));
  assert.equal(model.apply({ kind: 'flush', subject: HOST, atMs: now }), 'ok');
  assert.equal(model.replica(HOST), undefined);
});

test('a queue verdict older than the last one for its node is stale', () => {
  const { clock, model } = setup();
  const now = clock.now();
  model.apply({ kind: 'push', subject: HOST, atMs: now, intervalSeconds: 30, load: LOAD });
  const stalled = { loaded: false, stalled: true };
  assert.equal(model.apply({ kind: 'queue', subject: APP, atMs: now, queue: stalled }), 'ok');
  assert.equal(model.replica(HOST)?.health, 'dead');
  const calm = { loaded: false, stalled: false };
  assert.equal(model.apply({ kind: 'queue', subject: APP, atMs: now - 1, queue: calm }), 'stale');
  assert.equal(model.replica(HOST)?.health, 'dead');
  assert.equal(model.apply({ kind: 'queue', subject: APP, atMs: now, queue: calm }), 'ok');
  assert.equal(model.replica(HOST)?.health, 'healthy');
});

test('a restored record older than what the replica already reported is stale', () => {
  const { clock, model } = setup();
  const now = clock.now();
  model.apply({ kind: 'push', subject: HOST, atMs: now, intervalSeconds: 30, load: LOAD });
  const restore: Observation = {
    kind: 'restore',
    subject: HOST,
    atMs: now - 60_000,
    mode: 'push',
    intervalSeconds: 30,
    health: 'dead',
    sinceMs: now - 60_000,
  };
  assert.equal(model.apply(restore), 'stale');
  assert.equal(model.replica(HOST)?.health, 'healthy');
});

test('each kind answers not-found for an unknown subject and wrong-mode for a node of another mode', () => {
  const { clock, model } = setup();
  const atMs = clock.now();
  const unknown = { serviceId: 'web', nodeId: 'nope', replicaId: 'x' };
  const cases: Array<[Observation, string]> = [
    [{ kind: 'probe', subject: unknown, atMs, health: 'dead', latencyMs: 1 }, 'not-found'],
    [
      { kind: 'probe', subject: { ...API, replicaId: 'unlisted' }, atMs, health: 'dead', latencyMs: 1 },
      'not-found',
    ],
    [{ kind: 'probe', subject: HOST, atMs, health: 'dead', latencyMs: 1 }, 'not-found'],
    [{ kind: 'push', subject: unknown, atMs, intervalSeconds: 30, load: LOAD }, 'not-found'],
    [{ kind: 'push', subject: LAN, atMs, intervalSeconds: 30, load: LOAD }, 'wrong-mode'],
    [{ kind: 'local', subject: HOST, atMs, intervalSeconds: 30, health: 'dead' }, 'wrong-mode'],
    [
      {
        kind: 'queue',
        subject: { serviceId: 'web', nodeId: 'api' },
        atMs,
        queue: { loaded: true, stalled: false },
      },
      'wrong-mode',
    ],
    [
      {
        kind: 'queue',
        subject: { serviceId: 'nope', nodeId: 'app' },
        atMs,
        queue: { loaded: true, stalled: false },
      },
      'not-found',
    ],
    [{ kind: 'flush', subject: API, atMs }, 'wrong-mode'],
    [{ kind: 'flush', subject: HOST, atMs }, 'not-found'],
    [
      {
        kind: 'restore',
        subject: LAN,
        atMs,
        mode: 'push',
        intervalSeconds: 30,
        health: 'healthy',
        sinceMs: atMs,
      },
      'wrong-mode',
    ],
  ];
  for (const [observation, outcome] of cases) {
    assert.equal(model.apply(observation), outcome, JSON.stringify(observation));
  }
  assert.equal(model.updatedAtMs, undefined, 'nothing was taken in');
});

test('views and lookups by id read the same state', () => {
  const { clock, model } = setup();
  model.apply({ kind: 'push', subject: HOST, atMs: clock.now(), intervalSeconds: 30, load: LOAD });
  const other = { ...HOST, replicaId: 'host-2' };
  model.apply({ kind: 'push', subject: other, atMs: clock.now(), intervalSeconds: 30, load: LOAD });
  assert.equal(model.service('web'), model.services.get('web'));
  assert.equal(model.node('web', 'app'), model.services.get('web')?.nodes.get('app'));
  // A replica's view is made per read: two reads of one replica read the same slot of one table.
  assert.deepEqual(model.replica(HOST), model.node('web', 'app')?.replicas.get('host-1'));
  assert.notDeepEqual(model.replica(HOST), model.replica(other));
  assert.equal(model.replica(other)?.id, 'host-2');
  assert.equal(model.service('nope'), undefined);
  assert.equal(model.replica({ ...HOST, replicaId: 'nope' }), undefined);
});

test('an observation that crossed as JSON is read back equal, and applies the same', () => {
  const clock = new FakeClock();
  const observations: Observation[] = [
    { kind: 'probe', subject: API, atMs: clock.now(), health: 'sick', latencyMs: 900, reason: 'slow' },
    { kind: 'push', subject: HOST, atMs: clock.now(), intervalSeconds: 30, load: LOAD },
    { kind: 'local', subject: LAN, atMs: clock.now(), intervalSeconds: 30, health: 'dead' },
    {
      kind: 'queue',
      subject: APP,
      atMs: clock.now(),
      queue: { loaded: true, stalled: false, ready: 12, nack: 3 },
    },
  ];
  const direct = testModel(MIXED_PROBES, clock);
  const crossed = testModel(MIXED_PROBES, clock);
  for (const observation of observations) {
    const received = parseObservation(JSON.parse(serializeObservation(observation)));
    assert.deepEqual(received, observation);
    assert.equal(crossed.apply(received), direct.apply(observation));
  }
  const fields = (ref: ReplicaRef) => [crossed, direct].map((model) => JSON.stringify(model.replica(ref)));
  for (const ref of [API, HOST, LAN]) {
    const [crossedFields, directFields] = fields(ref);
    assert.ok(crossedFields?.includes('"health"'));
    assert.equal(crossedFields, directFields);
  }
  assert.equal(crossed.pageHealth, direct.pageHealth);
});

test('malformed observations are refused with the path of what is wrong', () => {
  const atMs = Date.UTC(2026, 0, 1);
  const refused: Array<[unknown, RegExp]> = [
    [{ kind: 'guess', subject: API, atMs }, /kind/],
    [{ kind: 'probe', atMs, health: 'dead', latencyMs: 1 }, /subject/],
    [{ kind: 'probe', subject: API, atMs, health: 'unwell', latencyMs: 1 }, /health/],
    // NaN becomes null in JSON.
    [
      JSON.parse(
        serializeObservation({ kind: 'probe', subject: API, atMs, health: 'dead', latencyMs: Number.NaN }),
      ),
      /latencyMs/,
    ],
    [{ kind: 'push', subject: HOST, atMs: '2026-01-01', intervalSeconds: 30, load: LOAD }, /atMs/],
    [{ kind: 'push', subject: HOST, atMs, intervalSeconds: -1, load: LOAD }, /intervalSeconds/],
  ];
  for (const [value, path] of refused) {
    assert.throws(
      () => parseObservation(value),
      (error: unknown) =>
        error instanceof ZodError && error.issues.some((issue) => path.test(issue.path.join('.'))),
      JSON.stringify(value),
    );
  }
});

test('a push report repeating the last load and health emits no `updated`; a new figure or health does', () => {
  const { clock, model } = setup();
  let updates = 0;
  model.events.on('updated', () => {
    updates += 1;
  });
  const push = (load: { cpu: number; ram: number }) =>
    model.apply({ kind: 'push', subject: HOST, atMs: clock.now(), intervalSeconds: 30, load });
  push(LOAD);
  assert.equal(updates, 1, 'a new replica is something to show');
  clock.advance(1000);
  push({ ...LOAD });
  assert.equal(updates, 1, 'the same figures again: nothing new on the page');
  assert.equal(model.updatedAtMs, clock.now(), 'the model still took the report in');
  push({ cpu: 0.3, ram: 0.2 });
  assert.equal(updates, 2);
  push({ cpu: 0.99, ram: 0.2 });
  assert.equal(model.replica(HOST)?.health, 'sick');
  assert.equal(updates, 3);
  // Silent past its deadline (30 + 20 s): dead, which is a change to show.
  clock.advance(50_000);
  assert.equal(model.replica(HOST)?.health, 'dead');
  assert.equal(updates, 4);
});
