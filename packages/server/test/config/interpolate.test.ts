// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are the subject under test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { interpolateEnv } from '../../src/config/index.js';

test('each ${NAME} of a defined variable is replaced, everywhere in the text', () => {
  const text = 'token = "${TOKEN}"\n# ${TOKEN} in a comment\nurl = "${HOST}:${PORT}"';
  const env = { TOKEN: 's3cret', HOST: 'example.com', PORT: '80' };
  assert.equal(interpolateEnv(text, env), 'token = "s3cret"\n# s3cret in a comment\nurl = "example.com:80"');
});

test('placeholders of undefined variables and other dollar forms stay as they are', () => {
  const text = '${MISSING} $TOKEN ${} ${A${B}} $${TOKEN';
  assert.equal(interpolateEnv(text, { TOKEN: 'x', B: 'b' }), '${MISSING} $TOKEN ${} ${Ab} $${TOKEN');
});

test('values holding $, {, } or a placeholder go in literally and are not substituted again', () => {
  const env = { A: '${B}', B: 'never', C: '$& $1 $$ {} }{', D: '' };
  assert.equal(interpolateEnv('${A}|${C}|${D}|${B}', env), '${B}|$& $1 $$ {} }{||never');
});

test('names of Object.prototype members are not variables of a plain env object', () => {
  assert.equal(
    interpolateEnv('${constructor} ${__proto__} ${toString}', {}),
    '${constructor} ${__proto__} ${toString}',
  );
});

test('no env map makes interpolation throw, and a defined placeholder always becomes its value', () => {
  const name = fc.string({ maxLength: 12 }).filter((value) => !/[${}]/.test(value));
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.string()),
      name,
      fc.string(),
      fc.string(),
      (env, key, value, text) => {
        interpolateEnv(text, env);
        const filled = interpolateEnv(`<\${${key}}>`, { ...env, [key]: value });
        assert.equal(filled, `<${value}>`);
      },
    ),
    { numRuns: 300 },
  );
});
