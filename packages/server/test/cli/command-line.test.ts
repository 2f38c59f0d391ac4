// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the subject of a test.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { BASE_CONFIG, MIXED_PROBES } from '../helpers/config.js';

describe('vigil command line', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-args-'));
    file = join(dir, 'args.cfg');
    writeFileSync(file, `${BASE_CONFIG}[probe]\n${MIXED_PROBES}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the config file is taken as -c FILE, -c=FILE, --config FILE and --config=FILE, before or after the subcommand', () => {
    const forms = [
      ['check-config', `-c=${file}`],
      ['check-config', '--config', file],
      ['check-config', `--config=${file}`],
      [`-c=${file}`, 'check-config'],
    ];
    for (const args of forms) {
      const result = runCli(args);
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout.split(': ok, ')[0], file, args.join(' '));
    }
  });

  test('a misspelt subcommand exits 2 and suggests the right one', () => {
    const result = runCli(['check-confg', '-c', file]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command 'check-confg'\n\(Did you mean check-config\?\)/);
    assert.equal(result.stdout, '');
  });

  test('other usage errors exit 2; an invalid config stays exit 1', () => {
    for (const args of [['--bogus'], ['check-config', '-c'], ['check-config', 'extra']]) {
      assert.equal(runCli(args).status, 2, args.join(' '));
    }
    assert.equal(runCli(['check-config', '-c', join(dir, 'missing.cfg')]).status, 1);
  });

  test('an unset ${VAR} fails check-config with the file, line, key and variable; ${VAR:-default} fills in', () => {
    const withVariable = join(dir, 'variable.cfg');
    writeFileSync(
      withVariable,
      `${BASE_CONFIG.replace('"manager-secret"', '"${VIGIL_TEST_UNSET_TOKEN}"')}[probe]\n${MIXED_PROBES}`,
    );
    const result = runCli(['check-config', '-c', withVariable]);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `error: ${withVariable}:5: server.manager_token: \${VIGIL_TEST_UNSET_TOKEN} names an environment variable ` +
        'that is not set; set it, or give a default as in ${VIGIL_TEST_UNSET_TOKEN:-value}\n',
    );
    const withDefault = join(dir, 'default.cfg');
    writeFileSync(
      withDefault,
      `${BASE_CONFIG.replace('"manager-secret"', '"${VIGIL_TEST_UNSET_TOKEN:-x}"')}[probe]\n${MIXED_PROBES}`,
    );
    assert.equal(runCli(['check-config', '-c', withDefault]).status, 0);
  });
});
