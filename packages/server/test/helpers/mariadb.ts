import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './cli.js';
import { requireBinary, startDaemon } from './daemon.js';

const run = promisify(execFile);

const SERVER = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

/** A throwaway MariaDB on a free loopback port, with one user who may use one database. */
export interface TestMariadb {
  port: number;
  stop(): Promise<void>;
}

export interface MariadbAccount {
  user: string;
  password: string;
  database: string;
}

/** As root, the server runs as the mysql user, so its folders must belong to it. */
function handOver(path: string): void {
  if (userInfo().uid !== 0) return;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'mysql'], { encoding: 'utf8' }).trim());
  chownSync(path, id('-u'), id('-g'));
}

/** SQL quoting of a string literal. */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * mariadb-install-db into a temp folder, then mariadbd on 127.0.0.1 only, its socket and pid file in
 * the temp folder too; the account is created by an init file at startup.
 */
export async function startTestMariadb(account: MariadbAccount): Promise<TestMariadb> {
  requireBinary(SERVER, 'mariadb-server');
  requireBinary(INSTALL_DB, 'mariadb-server');
  const root = mkdtempSync(join(tmpdir(), 'vigil-mariadb-'));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const runDir = join(root, 'run');
  for (const dir of [data, runDir]) {
    mkdirSync(dir);
    handOver(dir);
  }
  const asRoot = userInfo().uid === 0 ? ['--user=mysql'] : [];
  await run(INSTALL_DB, ['--no-defaults', `--datadir=${data}`, '--skip-test-db', ...asRoot]);
  const initFile = join(root, 'init.sql');
  const user = `${literal(account.user)}@'127.0.0.1'`;
  writeFileSync(
    initFile,
    [
      `CREATE DATABASE \`${account.database}\`;`,
      `CREATE USER ${user} IDENTIFIED BY ${literal(account.password)};`,
      `GRANT ALL ON \`${account.database}\`.* TO ${user};`,
      '',
    ].join('\n'),
  );
  chmodSync(initFile, 0o644);
  const port = await freePort();
  const server = await startDaemon(
    SERVER,
    [
      '--no-defaults',
      `--datadir=${data}`,
      ...asRoot,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(runDir, 'mariadb.sock')}`,
      `--pid-file=${join(runDir, 'mariadb.pid')}`,
      // Grants name 127.0.0.1, not "localhost".
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      `--init-file=${initFile}`,
    ],
    { ready: /ready for connections/, workDir: root },
  );
  return { port, stop: server.stop };
}
