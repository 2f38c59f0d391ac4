// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are the subject under test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse as parseToml } from 'smol-toml';
import { interpolateEnv } from '../../src/config/index.js';
import { findUnsetVariables } from '../../src/config/interpolate.js';

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
  const name = fc.string({ maxLength: 12 }).filter((value) => !/[${}:]/.test(value));
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

test('${NAME:-default} gives the default when NAME is unset or empty, as a shell does', () => {
  const text = 'a = "${A:-one}" b = "${B:-two}" c = "${C:-three}" d = "${D:-}"';
  assert.equal(interpolateEnv(text, { A: 'set', B: '' }), 'a = "set" b = "two" c = "three" d = ""');
});

test('a default may hold anything but $, { and }, and is inserted as written', () => {
  assert.equal(interpolateEnv('${URL:-http://127.0.0.1:8080/a?b=c d}', {}), 'http://127.0.0.1:8080/a?b=c d');
  assert.equal(interpolateEnv('${A:-x${B}}', { B: 'b' }), '${A:-xb}');
});

/** The unset variables of `text` as [name, key path, line], loaded with an empty environment. */
function unsetIn(text: string, env: NodeJS.ProcessEnv = {}) {
  const document = parseToml(interpolateEnv(text, env));
  return findUnsetVariables(text, document, env).map(({ name, path, line }) => [name, path.join('.'), line]);
}

test('an unset variable left in a value is found with its key and line', () => {
  const text =
    '[server]\n# ${TOKEN} is the manager password\nlog_level = "info"\nmanager_token = "${TOKEN}"\n';
  assert.deepEqual(unsetIn(text), [['TOKEN', 'server.manager_token', 4]]);
  assert.deepEqual(unsetIn(text, { TOKEN: 'set' }), []);
});

test('unset variables in comments, in scripts, with a default, or not named like variables are fine', () => {
  const text =
    '# ${IN_COMMENT}\n[server]\nlog_level = "${LEVEL:-info}" # ${TRAILING}\nodd = "${not a name} ${}"\n' +
    '[[probe.service]]\n[[probe.service.node]]\nscripts = ["echo ${HOME_DIR}"]\n';
  assert.deepEqual(unsetIn(text), []);
});

test('every unset variable is found, in arrays and nested tables too', () => {
  const text = 'to = ["${FIRST}", "x${SECOND}y"]\n[notify.slack]\nhook_url = "${HOOK}"\n';
  assert.deepEqual(unsetIn(text), [
    ['FIRST', 'to.0', 1],
    ['SECOND', 'to.1', 1],
    ['HOOK', 'notify.slack.hook_url', 3],
  ]);
});
