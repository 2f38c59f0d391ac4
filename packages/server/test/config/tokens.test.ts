import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../src/config/index.js';
import { freePort, runCli } from '../helpers/cli.js';
import { editConfig, errorsOf, FILE, MINIMAL_CONFIG } from './minimal-config.js';

const withTokens = (manager: string, reporter: string) =>
  editConfig(
    'manager_token = "manager-secret"\nreporter_token = "reporter-secret"',
    `manager_token = "${manager}"\nreporter_token = "${reporter}"`,
  );

describe('server tokens', () => {
  test('an empty or blank token is refused, naming the file and key', () => {
    assert.deepEqual(
      errorsOf(withTokens('', 'reporter-secret')).map((message) => message.split(': must')[0]),
      ['test.cfg: server.manager_token'],
    );
    const [reporter] = errorsOf(withTokens('manager-secret', '  '));
    assert.match(reporter ?? '', /^test\.cfg: server\.reporter_token: must not be empty: an empty token/);
    assert.equal(
      errorsOf(withTokens('', '')).length,
      2,
      'both named; two empty tokens are not "equal" twice',
    );
  });

  test('equal tokens are refused without echoing them', () => {
    const errors = errorsOf(withTokens('same-secret', 'same-secret'));
    assert.equal(errors.length, 1);
    assert.match(
      errors[0] ?? '',
      /^test\.cfg: server\.reporter_token: must differ from server\.manager_token/,
    );
    assert.ok(!errors[0]?.includes('same-secret'));
  });

  test('distinct non-empty tokens load', () => {
    const { config } = parseConfigText(MINIMAL_CONFIG, FILE, { env: {} });
    assert.equal(config.server.reporter_token, 'reporter-secret');
  });

  test('check-config and serving both exit 1 before serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tokens-'));
    try {
      const file = join(dir, 'empty-token.cfg');
      const port = await freePort();
      writeFileSync(
        file,
        editConfig('[server]', `[server]\ninet = "127.0.0.1:${port}"`, withTokens('manager-secret', '')),
      );
      for (const args of [
        ['check-config', '-c', file],
        ['-c', file],
      ]) {
        const result = runCli(args);
        assert.equal(result.status, 1, args.join(' '));
        assert.match(result.stderr, /empty-token\.cfg: server\.reporter_token: must not be empty/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
