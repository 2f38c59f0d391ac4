import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OpenBuckets } from '../../src/history/rollup/open-buckets.js';
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

/** One bucket (row 0 of a table) holding `parts`. */
function fold(parts: readonly BucketSummary[]): OpenBuckets {
  const folded = new OpenBuckets();
  folded.reserve(1);
  folded.open(0, 0);
  for (const each of parts) folded.add(0, each);
  return folded;
}

describe('the folded parts of open buckets', () => {
  test('equal to merging every part while there are at most 8 distinct latencies', () => {
    // An hour of minutes whose p50 and p95 take 8 values, in no order, with varying samples.
    const parts = Array.from({ length: 60 }, (_, minute) =>
      part(10 + ((minute * 7) % 8) * 5, 100 + ((minute * 3) % 8) * 20, 1 + (minute % 4), minute % 9),
    );
    parts.push({ healthySeconds: 0, sickSeconds: 30, deadSeconds: 30, samples: 0 });
    parts.push({ ...part(12, 120, 2), maintenanceSeconds: 15 });
    assert.deepEqual(fold(parts).summary(0), mergeSummaries(parts));
    const prior = part(10, 500, 7);
    assert.deepEqual(fold(parts).summaryWith(0, [prior, undefined]), mergeSummaries([...parts, prior]));
  });

  test('many distinct latencies stay close to the exact weighted ranks', () => {
    // p50 1…60 ms and p95 10…600 ms, one sample each: exact ranks 30 and 570.
    const parts = Array.from({ length: 60 }, (_, minute) => part(minute + 1, (minute + 1) * 10, 1));
    const exact = mergeSummaries(parts);
    const folded = fold(parts).summary(0);
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
    const folded = fold([]);
    assert.equal(folded.isEmpty(0), true);
    assert.equal(folded.summary(0), undefined);
    assert.deepEqual(folded.summaryWith(0, [part(5, 9, 2)]), mergeSummaries([part(5, 9, 2)]));
  });
});
