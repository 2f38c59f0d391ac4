import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import { shareShortStrings } from '../../src/scheduler/worker/shared-strings.js';

const longUrl = `http://127.0.0.1:8080/${'a'.repeat(40)}`;

test('equal short fields are one string again after a structured clone, and nothing changes value', () => {
  const headers = { Accept: '*/*' };
  const original = Array.from({ length: 3 }, (_, index) => ({
    kind: 'http',
    url: `${longUrl}/${index}`,
    method: 'HEAD',
    headers,
    cacheBuster: true,
    statusHealthyAbove: 200,
  }));
  const cloned = deserialize(serialize(original)) as typeof original;
  shareShortStrings(cloned);
  assert.deepEqual(cloned, original);
  // Nested objects the clone kept shared stay shared.
  assert.equal(cloned[0]?.headers, cloned[2]?.headers);
});
