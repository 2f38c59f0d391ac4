import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenMatcher } from '../../src/web/auth.js';

test('only the token itself matches: not a prefix, an extension, a case change or a same-length guess', () => {
  const matches = tokenMatcher('s3cret-token');
  assert.equal(matches('s3cret-token'), true);
  for (const wrong of [
    's3cret-toke',
    's3cret-token!',
    'S3CRET-TOKEN',
    's3cret-tokeN',
    'x'.repeat(12),
    ' s3cret-token',
  ]) {
    assert.equal(matches(wrong), false, wrong);
  }
});

test('an empty candidate never matches, and an empty token matches nothing', () => {
  assert.equal(tokenMatcher('s3cret')(''), false);
  const empty = tokenMatcher('');
  assert.equal(empty(''), false);
  assert.equal(empty('a'), false);
});

test('non-ASCII tokens compare as text: the same characters match, others of the same byte length do not', () => {
  const matches = tokenMatcher('pässwörd-😀');
  assert.equal(matches('pässwörd-😀'), true);
  // Same UTF-16 length, another UTF-8 length: refused.
  assert.equal(matches('passwoord-😀'), false);
  // Same UTF-8 length (ä and ö are two bytes each), other characters: refused.
  assert.equal(matches('pässwörd-😁'), false);
  assert.equal(matches('pässwörd-\uFFFD'), false);
});
