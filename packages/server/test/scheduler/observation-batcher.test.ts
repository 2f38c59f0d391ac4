import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Observation, ReplicaRef } from '../../src/model/observation.js';
import { ObservationBatcher, observationsOf } from '../../src/scheduler/worker/observation-batcher.js';
import type { ResultBatch } from '../../src/scheduler/worker/protocol.js';

const refs: ReplicaRef[] = Array.from({ length: 300 }, (_, index) => ({
  serviceId: 'web',
  nodeId: `n${Math.floor(index / 5)}`,
  replicaId: `http://127.0.0.1/r/${index}`,
}));
const indexOf = new Map(refs.map((ref, index) => [ref, index]));

function batcher() {
  const sent: ResultBatch[] = [];
  const sink = new ObservationBatcher(
    (ref) => indexOf.get(ref),
    (batch) => sent.push(batch),
  );
  return { sink, sent };
}

const probe = (index: number, extra: Partial<Observation> = {}): Observation =>
  ({
    kind: 'probe',
    subject: refs[index] as ReplicaRef,
    atMs: 1_700_000_000_000 + index,
    health: 'healthy',
    latencyMs: index % 7,
    ...extra,
  }) as Observation;

test('results cross as compact batches and come back as the same observations', () => {
  const { sink, sent } = batcher();
  const observations = [
    probe(0),
    probe(3, { health: 'sick', latencyMs: 1500, reason: 'slow: 1500 ms (sick at 1 s)' }),
    probe(7, { health: 'dead', latencyMs: 10_000, reason: 'timed out after 10 s' }),
    probe(299),
  ];
  for (const observation of observations) assert.equal(sink.apply(observation), 'ok');
  assert.equal(sent.length, 0, 'a small batch waits for its timer or a flush');
  sink.flush();
  assert.equal(sent.length, 1);
  const [batch] = sent;
  assert.ok(batch);
  assert.equal(batch.numbers.length, 4 * observations.length);
  assert.deepEqual(
    observationsOf(batch, (index) => refs[index]),
    { observations, invalid: 0 },
  );
});

test('a full batch goes at once, and a subject the thread does not probe is refused', () => {
  const { sink, sent } = batcher();
  for (let index = 0; index < 256; index++) sink.apply(probe(index));
  assert.equal(sent.length, 1);
  assert.equal(
    sink.apply(probe(0, { subject: { ...refs[0], replicaId: 'other' } as ReplicaRef })),
    'not-found',
  );
  sink.flush();
  assert.equal(sent.length, 1, 'nothing left to send');
});

test('results that cannot be are left out and counted', () => {
  const batch: ResultBatch = {
    numbers: Float64Array.from([
      ...[0, 0, 5, 1000],
      ...[999, 0, 5, 1000], // no such job
      ...[1, 7, 5, 1000], // no such health
      ...[2, 0, -1, 1000], // negative latency
      ...[3, 2, Number.NaN, 1000],
      ...[4, 1, 5, Number.POSITIVE_INFINITY],
    ]),
    reasons: [[2, 'ignored']],
  };
  const { observations, invalid } = observationsOf(batch, (index) => refs[index]);
  assert.equal(invalid, 5);
  assert.deepEqual(observations, [
    { kind: 'probe', subject: refs[0], atMs: 1000, health: 'healthy', latencyMs: 5 },
  ]);
});
