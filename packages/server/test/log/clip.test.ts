import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipForLog } from '../../src/log/clip.js';

test('short values are logged as they are; long ones are cut, marked, and never split a surrogate pair', () => {
  assert.equal(clipForLog('web-1'), 'web-1');
  assert.equal(clipForLog('x'.repeat(128)), 'x'.repeat(128));
  assert.equal(clipForLog('x'.repeat(65_536)), `${'x'.repeat(128)}… (65536 characters)`);
  const astral = `x${'😀'.repeat(200)}`;
  assert.equal(clipForLog(astral), `x${'😀'.repeat(63)}… (201 characters)`);
});
