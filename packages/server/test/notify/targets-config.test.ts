import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/index.js';
import { buildChannels } from '../../src/notify/registry.js';
import { errorsOf, FILE, MINIMAL_CONFIG } from '../config/minimal-config.js';

const TWO_SLACKS = `
[notify]
[[notify.slack]]
name = "ops"
hook_url = "http://127.0.0.1:1/ops"
services = ["web"]
[[notify.slack]]
hook_url = "http://127.0.0.1:1/jobs"
delay_seconds = 60
[notify.webhook]
hook_url = "http://127.0.0.1:1/hook"
`;

function targetsOf(text: string) {
  const { config, warnings } = parseConfigText(`${MINIMAL_CONFIG}\n${text}`, FILE, { env: {} });
  assert.deepEqual(warnings, []);
  assert.ok(config.notify);
  return buildChannels(config.notify, { timeoutMs: 1000 });
}

test('[[notify.slack]] entries are targets, named or numbered by position, next to a single table', () => {
  const targets = targetsOf(TWO_SLACKS);
  assert.deepEqual(
    targets.map(({ target, where, channel }) => [target, where, channel.name]),
    [
      ['slack#ops', 'notify.slack[0]', 'slack'],
      ['slack#1', 'notify.slack[1]', 'slack'],
      ['webhook', 'notify.webhook', 'webhook'],
    ],
  );
  assert.deepEqual(targets[0]?.options.scope, { services: ['web'], nodes: [] });
  assert.equal(targets[1]?.options.delayMs, 60_000);
  assert.equal(targets[1]?.options.scope, undefined);
});

test("Vigil's single [notify.slack] table keeps the target id slack", () => {
  const targets = targetsOf('[notify]\n[notify.slack]\nhook_url = "http://127.0.0.1:1/a"\n');
  assert.deepEqual(
    targets.map(({ target, where }) => [target, where]),
    [['slack', 'notify.slack']],
  );
});

test('the array form works for any channel, e.g. a channel added after Vigil', () => {
  const targets = targetsOf(
    '[notify]\n[[notify.discord]]\nhook_url = "http://127.0.0.1:1/a"\n[[notify.discord]]\nname = "b"\nhook_url = "http://127.0.0.1:1/b"\nnodes = ["web:router"]\n',
  );
  assert.deepEqual(
    targets.map(({ target, channel }) => [target, channel.name]),
    [
      ['discord#0', 'discord'],
      ['discord#b', 'discord'],
    ],
  );
});

const brokenTargets: Array<{ name: string; text: string; expected: RegExp }> = [
  {
    name: 'a bad key in an entry names its index',
    text: '[notify]\n[[notify.slack]]\nhook_url = "http://127.0.0.1:1/a"\n[[notify.slack]]\nhook_url = "not a url"\n',
    expected:
      /^test\.cfg: notify\.slack\[1\]\.hook_url: must be an absolute URL, such as https:\/\/example\.com\/, got "not a url"$/,
  },
  {
    name: 'a missing key in an entry names its index',
    text: '[notify]\n[[notify.slack]]\nhook_url = "http://127.0.0.1:1/a"\n[[notify.slack]]\ndelay_seconds = 5\n',
    expected: /^test\.cfg: notify\.slack\[1\]\.hook_url: missing required key$/,
  },
  {
    name: 'a bad key in a single table keeps its old path',
    text: '[notify]\n[notify.slack]\nhook_url = "http://127.0.0.1:1/a"\ndelay_seconds = -1\n',
    expected: /^test\.cfg: notify\.slack\.delay_seconds: must be an integer from 0 to 31536000, got -1$/,
  },
  {
    name: 'two entries with one name',
    text: '[notify]\n[[notify.slack]]\nname = "ops"\nhook_url = "http://127.0.0.1:1/a"\n[[notify.slack]]\nname = "ops"\nhook_url = "http://127.0.0.1:1/b"\n',
    expected: /^test\.cfg: notify\.slack\[1\]\.name: is already the name of an earlier entry, got "ops"$/,
  },
  {
    name: 'a name that could read as a position',
    text: '[notify]\n[[notify.slack]]\nname = "1"\nhook_url = "http://127.0.0.1:1/a"\n',
    expected:
      /^test\.cfg: notify\.slack\[0\]\.name: must start with a letter, then letters, digits, _ or -, got "1"$/,
  },
  {
    name: 'a name on a single table',
    text: '[notify]\n[notify.slack]\nname = "ops"\nhook_url = "http://127.0.0.1:1/a"\n',
    expected:
      /^test\.cfg: notify\.slack\.name: only entries of a \[\[notify\.<channel>\]\] array take a name/,
  },
  {
    name: 'neither a table nor an array of tables',
    text: '[notify]\nslack = 5\n',
    expected: /^test\.cfg: notify\.slack: expected a table or an array, got 5$/,
  },
  {
    name: 'an empty array',
    text: '[notify]\nslack = []\n',
    expected: /^test\.cfg: notify\.slack: must hold at least one table/,
  },
];

for (const { name, text, expected } of brokenTargets) {
  test(`broken targets: ${name}`, () => {
    const messages = errorsOf(`${MINIMAL_CONFIG}\n${text}`);
    assert.ok(
      messages.some((message) => expected.test(message)),
      `expected ${expected} in:\n${messages.join('\n')}`,
    );
  });
}

test('an unknown key in an entry is a warning naming its index', () => {
  const text = `${MINIMAL_CONFIG}\n[notify]\n[[notify.slack]]\nhook_url = "http://127.0.0.1:1/a"\n[[notify.slack]]\nhook_url = "http://127.0.0.1:1/b"\nhook_ulr = "x"\n`;
  const { warnings } = parseConfigText(text, FILE, { env: {} });
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /notify\.slack\[1\]\.hook_ulr/);
});
