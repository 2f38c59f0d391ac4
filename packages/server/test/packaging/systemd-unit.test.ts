import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/cli.js';

const run = promisify(execFile);
const UNIT = readFileSync(join(REPO_ROOT, 'deploy/vigil.service'), 'utf8');
const INSTALLED_BINARY = '/usr/local/bin/vigil';

describe('deploy/vigil.service', () => {
  it('passes `systemd-analyze verify` without a single complaint', async () => {
    await run('sh', ['-c', 'command -v systemd-analyze']).catch(() => {
      throw new Error('systemd-analyze not found: apt-get install -y --no-install-recommends systemd');
    });
    // verify insists that ExecStart's binary exists: point it at this checkout's, same program.
    assert.ok(UNIT.includes(`ExecStart=${INSTALLED_BINARY} `));
    const folder = mkdtempSync(join(tmpdir(), 'vigil-unit-'));
    try {
      const unit = join(folder, 'vigil.service');
      writeFileSync(unit, UNIT.replaceAll(INSTALLED_BINARY, join(REPO_ROOT, 'packages/server/bin/vigil.js')));
      // Exit 0 even for unknown keys and bad values, which it only prints: so nothing may be printed.
      const { stdout, stderr } = await run('systemd-analyze', ['verify', unit]);
      assert.equal(`${stdout}${stderr}`, '');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('restarts on failure, reloads with SIGHUP, writes only its state directory', () => {
    for (const line of [
      'Restart=on-failure',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'ProtectSystem=strict',
      'StateDirectory=vigil',
      'NoNewPrivileges=yes',
    ]) {
      assert.ok(UNIT.split('\n').includes(line), `missing ${line}`);
    }
  });

  it('is the unit docs/deploy.md shows', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
    const shown = /```ini\n(# systemd unit for the Vigil TS server[\s\S]*?)```/.exec(doc)?.[1];
    assert.equal(shown, UNIT);
  });
});
