import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Observation, ReplicaRef } from '../../src/model/observation.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { observationsOf, ResultBatcher } from '../../src/scheduler/worker/observation-batcher.js';
import type { ResultBatch } from '../../src/scheduler/worker/protocol.js';

const refs: ReplicaRef[] = Array.from({ length: 300 }, (_, index) => ({
  serviceId: 'web',
  nodeId: `n${Math.floor(index / 5)}`,
  replicaId: `http://127.0.0.1/r/${index}`,
}));

function batcher() {
  const sent: ResultBatch[] = [];
  return { batcher: new ResultBatcher((batch) => sent.push(batch)), sent };
}

/** Job `index`'s observation, as the main thread rebuilds it. */
const probe = (index: number, extra: Partial<ProbeResult> = {}): Observation => ({
  kind: 'probe',
  subject: refs[index] as ReplicaRef,
  atMs: 1_700_000_000_000 + index,
  health: 'healthy',
  latencyMs: index % 7,
  ...extra,
});

const add = (into: ResultBatcher, index: number, extra: Partial<ProbeResult> = {}) => {
  const { health = 'healthy', latencyMs = index % 7, reason } = extra;
  into.add(index, { health, latencyMs, ...(reason !== undefined && { reason }) }, 1_700_000_000_000 + index);
};

test('results cross as compact batches and come back as the same observations', () => {
  const { batcher: results, sent } = batcher();
  const extras: Array<[number, Partial<ProbeResult>]> = [
    [0, {}],
    [3, { health: 'sick', latencyMs: 1500, reason: 'slow: 1500 ms (sick at 1 s)' }],
    [7, { health: 'dead', latencyMs: 10_000, reason: 'timed out after 10 s' }],
    [299, {}],
  ];
  for (const [index, extra] of extras) add(results, index, extra);
  assert.equal(sent.length, 0, 'a small batch waits for its timer or a flush');
  results.flush();
  assert.equal(sent.length, 1);
  const [batch] = sent;
  assert.ok(batch);
  assert.equal(batch.numbers.length, 4 * extras.length);
  assert.deepEqual(
    observationsOf(batch, (index) => refs[index]),
    { observations: extras.map(([index, extra]) => probe(index, extra)), invalid: 0 },
  );
});

test('a full batch goes at once, in a buffer of its own, and the next starts empty', () => {
  const { batcher: results, sent } = batcher();
  for (let index = 0; index < 257; index++) add(results, index);
  assert.equal(sent.length, 1);
  results.flush();
  assert.equal(sent.length, 2);
  const [full, rest] = sent;
  assert.ok(full && rest);
  assert.notEqual(full.numbers.buffer, rest.numbers.buffer);
  assert.equal(observationsOf(full, (index) => refs[index]).observations.length, 256);
  assert.deepEqual(observationsOf(rest, (index) => refs[index]).observations, [probe(256)]);
  results.flush();
  assert.equal(sent.length, 2, 'nothing left to send');
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
