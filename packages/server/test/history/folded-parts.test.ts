import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FoldedParts } from '../../src/history/rollup/folded-parts.js';
import { mergeSummaries } from '../../src/history/rollup/summary.js';
import type { BucketSummary } from '../../src/store/types.js';

const part = (p50Ms: number, p95Ms: number, samples: number, healthySeconds = 60): BucketSummary => ({
  healthySeconds,
  sickSeconds: 0,
  deadSeconds: 0,
  samples,
  p50Ms,
  p95Ms,
  maxMs: p95Ms + 1,
});

function fold(parts: readonly BucketSummary[]): FoldedParts {
  const folded = new FoldedParts();
  for (const each of parts) folded.add(each);
  return folded;
}

describe('folded parts of an open bucket', () => {
  test('equal to merging every part while there are at most 8 distinct latencies', () => {
    // An hour of minutes whose p50 and p95 take 8 values, in no order, with varying samples.
    const parts = Array.from({ length: 60 }, (_, minute) =>
      part(10 + ((minute * 7) % 8) * 5, 100 + ((minute * 3) % 8) * 20, 1 + (minute % 4), minute % 9),
    );
    parts.push({ healthySeconds: 0, sickSeconds: 30, deadSeconds: 30, samples: 0 });
    parts.push({ ...part(12, 120, 2), maintenanceSeconds: 15 });
    assert.deepEqual(fold(parts).summary(), mergeSummaries(parts));
    const prior = part(10, 500, 7);
    assert.deepEqual(fold(parts).summaryWith([prior, undefined]), mergeSummaries([...parts, prior]));
  });

  test('many distinct latencies stay close to the exact weighted ranks', () => {
    // p50 1…60 ms and p95 10…600 ms, one sample each: exact ranks 30 and 570.
    const parts = Array.from({ length: 60 }, (_, minute) => part(minute + 1, (minute + 1) * 10, 1));
    const exact = mergeSummaries(parts);
    const folded = fold(parts).summary();
    assert.equal(folded?.samples, exact.samples);
    assert.equal(folded?.maxMs, exact.maxMs);
    assert.equal(folded?.healthySeconds, exact.healthySeconds);
    assert.ok(
      Math.abs((folded?.p50Ms ?? 0) - (exact.p50Ms ?? 0)) <= 6,
      `p50 ${folded?.p50Ms} vs ${exact.p50Ms}`,
    );
    assert.ok(
      Math.abs((folded?.p95Ms ?? 0) - (exact.p95Ms ?? 0)) <= 60,
      `p95 ${folded?.p95Ms} vs ${exact.p95Ms}`,
    );
  });

  test('no parts: empty, and extra parts alone make the summary', () => {
    const folded = new FoldedParts();
    assert.equal(folded.isEmpty, true);
    assert.equal(folded.summary(), undefined);
    assert.deepEqual(folded.summaryWith([part(5, 9, 2)]), mergeSummaries([part(5, 9, 2)]));
  });
});
