// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are the subject under test.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConfigError, parseConfigText } from '../../src/config/index.js';
import { editConfig, FILE, FIXTURE_PATH } from './minimal-config.js';

const FIXTURE = readFileSync(FIXTURE_PATH, 'utf8');
const FIXTURE_LINES = FIXTURE.split('\n');

/** Loading either succeeds or throws a ConfigError whose every message names the file. */
function assertLoadsOrExplains(text: string, env: NodeJS.ProcessEnv = {}): void {
  try {
    parseConfigText(text, FILE, { env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    assert.ok(error.messages.length > 0);
    for (const message of error.messages) assert.ok(message.startsWith(`${FILE}`), message);
  }
}

/** Values of every TOML type and shape, to put where the schema expects something else. */
const tomlValue = fc.oneof(
  fc.constantFrom('0', '-1', '1.5', 'nan', '-inf', 'true', '""', '[]', '{}', '1979-05-27', '99999999999'),
  fc.constantFrom(
    '[1, "a"]',
    '{ a = 1 }',
    '"${UNSET}"',
    '"tcp://[::1]"',
    '"icmp://x/"',
    '"(?P<x"',
    '"x\\ny"',
  ),
  fc.string({ maxLength: 20 }).map((value) => JSON.stringify(value)),
);

const run = { numRuns: 300, interruptAfterTimeLimit: 20_000 };

test('arbitrary text never makes loading throw anything but ConfigError', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => assertLoadsOrExplains(text)),
    run,
  );
});

test('arbitrary edits of the sample config never make loading throw anything but ConfigError', () => {
  const cut = fc
    .tuple(fc.nat({ max: FIXTURE.length }), fc.nat({ max: 40 }), fc.string({ maxLength: 20 }))
    .map(([at, length, inserted]) => FIXTURE.slice(0, at) + inserted + FIXTURE.slice(at + length));
  const valueSwap = fc
    .tuple(fc.nat({ max: FIXTURE_LINES.length - 1 }), tomlValue)
    .map(([line, value]) =>
      FIXTURE_LINES.map((text, index) => (index === line ? text.replace(/=.*/, `= ${value}`) : text)).join(
        '\n',
      ),
    );
  const lineMoves = fc
    .tuple(fc.nat({ max: FIXTURE_LINES.length - 1 }), fc.nat({ max: FIXTURE_LINES.length - 1 }))
    .map(([from, to]) => FIXTURE_LINES.toSpliced(to, 0, FIXTURE_LINES[from] ?? '').join('\n'));
  fc.assert(
    fc.property(fc.oneof(cut, valueSwap, lineMoves), (text) => assertLoadsOrExplains(text)),
    run,
  );
});

test('arbitrary environments never make loading throw anything but ConfigError', () => {
  const text = editConfig(
    '"debug"',
    '"${LEVEL}"',
    editConfig('"fixture-manager-token"', '${TOKEN}', FIXTURE),
  );
  fc.assert(
    fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.string()), fc.string(), (env, token) =>
      assertLoadsOrExplains(text, { ...env, TOKEN: token }),
    ),
    run,
  );
});
