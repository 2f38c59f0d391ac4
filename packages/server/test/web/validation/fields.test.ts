import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPLICA_ID_RULE, TEXT_RULE, TITLE_RULE, textProblem } from '../../../src/web/validation/fields.js';

test('ids: any well-formed text up to 256 characters; no controls, no lone surrogates, nothing a URL cannot name', () => {
  for (const fine of ['...', '10.0.0.1', 'pod/α β', '😀'.repeat(256), 'x'.repeat(256)]) {
    assert.equal(textProblem('id', fine, REPLICA_ID_RULE), undefined, JSON.stringify(fine));
  }
  for (const bad of ['\u0000', 'a\tb', 'a\nb', '\u007f', '\u0085', '\ud800', 'x\udc00y', '😀'.slice(0, 1)]) {
    assert.equal(
      textProblem('id', bad, REPLICA_ID_RULE),
      'id must be well-formed Unicode without control characters',
      JSON.stringify(bad),
    );
  }
  for (const unnameable of ['', '.', '..']) {
    assert.equal(
      textProblem('id', unnameable, REPLICA_ID_RULE),
      'id must not be empty, "." or "..": no URL could name it to flush it',
    );
  }
  assert.equal(
    textProblem('id', '😀'.repeat(257), REPLICA_ID_RULE),
    'id must have at most 256 characters, got 257',
  );
});

test('titles need a character; texts may hold tabs and line breaks, up to 16 KB of UTF-8', () => {
  assert.equal(textProblem('title', '', TITLE_RULE), 'title must have at least 1 character');
  assert.equal(textProblem('text', 'line\r\n\tnext', TEXT_RULE), undefined);
  assert.match(textProblem('title', 'line\nnext', TITLE_RULE) ?? '', /without control characters$/);
  assert.match(textProblem('text', 'a\u000bb', TEXT_RULE) ?? '', /other than tab and line breaks$/);
  assert.equal(textProblem('text', '€'.repeat(5461), TEXT_RULE), undefined, '16,383 bytes');
  assert.equal(
    textProblem('text', '€'.repeat(5462), TEXT_RULE),
    'text must be at most 16384 bytes in UTF-8, got 16386',
  );
});
