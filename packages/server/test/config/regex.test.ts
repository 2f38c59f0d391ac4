import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileBodyMatch } from '../../src/config/index.js';

const matches = (pattern: string, body: string) => compileBodyMatch(pattern).test(body);

test('matching is an unanchored search with Unicode on, like Rust is_match', () => {
  assert.equal(matches('User-agent:.*', 'User-agent: *\nDisallow:'), true);
  assert.equal(matches('ok', 'status: ok!'), true);
  assert.equal(compileBodyMatch('ok').flags, 'u');
});

test('leading inline flags become JavaScript flags', () => {
  assert.equal(matches('(?i)user-agent', 'USER-AGENT'), true);
  assert.equal(matches('a.b', 'a\nb'), false);
  assert.equal(matches('(?s)a.b', 'a\nb'), true);
  assert.equal(matches('(?m)^b$', 'a\nb\nc'), true);
  assert.equal(compileBodyMatch('(?is)(?u)x').flags, 'isu');
  assert.equal(compileBodyMatch('(?-u)x').flags, 'u');
});

test('Rust-only syntax is translated', () => {
  assert.equal(compileBodyMatch('(?P<state>up|down)').exec('is up')?.groups?.state, 'up');
  assert.equal(matches('\\Ahealthy\\z', 'healthy'), true);
  assert.equal(matches('\\Ahealthy\\z', 'healthy\n'), false);
  assert.equal(matches('(?m)\\Aok', 'x\nok'), false);
  assert.equal(matches('(?m)ok\\z', 'ok\nx'), false);
  assert.equal(matches('[]a]+$', 'x]a'), true);
  assert.equal(matches('[^]]', ']'), false);
  assert.equal(matches('\\#\\:\\-', '#:-'), true);
  assert.equal(matches('\\x{263A}', '☺'), true);
  assert.equal(matches('^\\pL+$', 'été'), true);
  assert.equal(matches('\\<up\\>', 'is up now'), true);
  assert.equal(matches('\\<up\\>', 'setup'), false);
});

test('a pattern JavaScript refuses under u is retried without it', () => {
  const regex = compileBodyMatch('a}');
  assert.equal(regex.flags, '');
  assert.equal(regex.test('a}'), true);
});

test('unsupported and invalid patterns throw clear errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['(?x) a b', /^unsupported regular expression \/\(\?x\) a b\/: \(\?x\) verbose mode is not supported/],
    ['(?U)a+', /swap-greed mode is not supported/],
    ['(?q)a', /unknown inline flag "q"/],
    ['a(?i)b', /inline flags are supported only at the very start/],
    ['(?i:a)b', /inline flags are supported only at the very start/],
    ['[[:alpha:]]', /nested character classes/],
    ['[a-z&&[^aeiou]]', /nested character classes|set operation/],
    ['[a-z--b]', /set operation "--"/],
    ['(unclosed', /^invalid regular expression \/\(unclosed\/: Unterminated group$/],
    ['\\p{L}}', /^invalid regular expression/],
  ];
  for (const [pattern, expected] of cases) {
    assert.throws(
      () => compileBodyMatch(pattern),
      (error: unknown) => error instanceof Error && expected.test(error.message),
      pattern,
    );
  }
});
