import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { CLI_PATH, exited, freePort, REPO_ROOT, spawnCli, waitForHttp } from '../helpers/cli.js';
import { BASE_CONFIG, MIXED_PROBES } from '../helpers/config.js';
import { basicAuth } from '../helpers/server.js';
import { waitFor } from '../helpers/vigil.js';

/** `vigil backup` as a child process, without blocking this one (the server's reports go on meanwhile). */
function backupCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI_PATH, 'backup', ...args],
      { cwd: REPO_ROOT },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A config file in `folder` listening on `port`, with these `[storage]` keys. */
function writeConfig(folder: string, name: string, port: number, storage: string): string {
  const file = join(folder, name);
  writeFileSync(file, configWith(port, storage));
  return file;
}

function configWith(port: number, storage: string): string {
  return `${BASE_CONFIG.replace('inet = "127.0.0.1:0"', `inet = "127.0.0.1:${port}"`)}\n[storage]\n${storage}\n[probe]\n${MIXED_PROBES}`;
}

/** The replica ids the store holds, read the way a restore would see them. */
function replicaIds(file: string): string[] {
  const database = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    return (database.prepare('select replica_id from replicas').all() as { replica_id: string }[]).map(
      (row) => row.replica_id,
    );
  } finally {
    database.close();
  }
}

describe('vigil backup', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'vigil-backup-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('copies the SQLite store while the server writes to it', async () => {
    const port = await freePort();
    const store = join(folder, 'data/vigil.db');
    const config = writeConfig(folder, 'live.cfg', port, `path = "${store}"\nflush_interval = 1`);
    const server = spawnCli(['-c', config]);
    const url = `http://127.0.0.1:${port}`;
    const posted: string[] = [];
    let writing = true;
    const post = async (replica: string) => {
      const response = await fetch(`${url}/reporter/web/app/`, {
        method: 'POST',
        headers: { Authorization: basicAuth('reporter-secret'), 'Content-Type': 'application/json' },
        body: JSON.stringify({ replica, interval: 30, load: { cpu: 0.1, ram: 0.2 } }),
      });
      assert.equal(response.status, 200);
      posted.push(replica);
    };
    try {
      await waitForHttp(`${url}/healthz`);
      await post('replica-0');
      await waitFor('the first flush', () => existsSync(store) && replicaIds(store).length > 0);
      // New replicas keep arriving (one row each at every flush) for the whole backup.
      const writer = (async () => {
        for (let index = 1; writing; index++) {
          await post(`replica-${index}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      await waitFor('more flushes', () => replicaIds(store).length > 3);

      const result = await backupCli(['-c', config, join(folder, 'copy.db')]);
      writing = false;
      await writer;
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`^backed up ${store} to ${join(folder, 'copy.db')} \\(\\d+ bytes\\)`),
      );

      const copy = new SqliteDatabase(join(folder, 'copy.db'), { readonly: true, fileMustExist: true });
      try {
        assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
        const runs = copy.prepare('select count(*) as count from runs').get() as { count: number };
        assert.equal(runs.count, 1);
      } finally {
        copy.close();
      }
      const copied = replicaIds(join(folder, 'copy.db'));
      assert.ok(copied.length > 3, `only ${copied.length} replicas copied`);
      assert.ok(copied.every((id) => posted.includes(id)));
      // No partial file is left beside the copy.
      assert.deepEqual(
        readdirSync(folder).filter((name) => name.includes('partial')),
        [],
      );
    } finally {
      writing = false;
      server.kill('SIGTERM');
      await exited(server);
    }
  });

  it('copies the store of a stopped server, replacing an older copy', async () => {
    // The previous test's server has stopped: its store has no WAL or shared-memory file open.
    const port = await freePort();
    const config = writeConfig(folder, 'stopped.cfg', port, `path = "${join(folder, 'data/vigil.db')}"`);
    const result = await backupCli(['-c', config, join(folder, 'copy.db')]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(replicaIds(join(folder, 'copy.db')).length > 3);
  });

  it('refuses a PostgreSQL store and points at pg_dump', async () => {
    const config = writeConfig(
      folder,
      'pg.cfg',
      1,
      'engine = "postgres"\nurl = "postgres://vigil@127.0.0.1:1/vigil"',
    );
    const result = await backupCli(['-c', config, join(folder, 'copy.pg')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: the store is PostgreSQL: back it up with pg_dump/);
    assert.equal(existsSync(join(folder, 'copy.pg')), false);
  });

  it('refuses a missing store, a missing folder and the store itself, naming each', async () => {
    const nowhere = join(folder, 'nowhere/vigil.db');
    const missing = await backupCli([
      '-c',
      writeConfig(folder, 'missing.cfg', 1, `path = "${nowhere}"`),
      join(folder, 'copy2.db'),
    ]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `error: no SQLite store at ${nowhere} (storage.path, relative to the working directory)\n`,
    );

    const store = join(folder, 'data/vigil.db');
    const config = writeConfig(folder, 'existing.cfg', 1, `path = "${store}"`);
    const noFolder = await backupCli(['-c', config, join(folder, 'no/such/copy.db')]);
    assert.equal(noFolder.code, 1);
    assert.equal(noFolder.stderr, `error: folder ${join(folder, 'no/such')} does not exist\n`);

    const itself = await backupCli(['-c', config, store]);
    assert.equal(itself.code, 1);
    assert.equal(itself.stderr, `error: ${store} is the store itself\n`);
  });
});
