import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './cli.js';

const run = promisify(execFile);

/** A throwaway PostgreSQL server on a free loopback port, its data in a temp folder. */
export interface TestPostgres {
  /** A new database on the server, empty or a copy of `template`; its connection URL. */
  createDatabase(template?: string): Promise<string>;
  /** Stops the server at once, as a crash would (`-m immediate`), and starts it again on its port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest installed server binaries, e.g. /usr/lib/postgresql/15/bin; PG_BIN overrides. */
function findBinaries(): string {
  const candidates = process.env.PG_BIN
    ? [process.env.PG_BIN]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : [];
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: ' +
        'the store tests run against a real server; install it with `apt-get install postgresql` ' +
        '(or set PG_BIN to the folder holding initdb)',
    );
  }
  return found;
}

/** initdb and postgres refuse to run as root: as root, run them as the postgres user. */
function asServerUser(binary: string, args: string[]) {
  const isRoot = userInfo().uid === 0;
  return isRoot ? run('runuser', ['-u', 'postgres', '--', binary, ...args]) : run(binary, args);
}

/** As root, the server's folders must belong to the postgres user. */
function handOver(path: string): void {
  if (userInfo().uid !== 0) return;
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
      throw new Error('no "postgres" system user: install the server with `apt-get install postgresql`');
    }
  };
  chownSync(path, id('-u'), id('-g'));
}

export interface TestPostgresOptions {
  /**
   * The postgres user's password, which every connection must then give (SCRAM); without one,
   * every connection is trusted.
   */
  password?: string;
  /** Serves TLS too (`ssl = on`) with the test certificate (localhost, 127.0.0.1, ::1; test CA). */
  tls?: boolean;
}

const TLS_FIXTURES = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));

/** The server's `-c ssl…` options; its copy of the key must belong to it and be private. */
function tlsOptions(root: string): string[] {
  const cert = join(root, 'server.pem');
  const key = join(root, 'server.key');
  copyFileSync(join(TLS_FIXTURES, 'server.pem'), cert);
  copyFileSync(join(TLS_FIXTURES, 'server.key'), key);
  chmodSync(key, 0o600);
  for (const file of [cert, key]) handOver(file);
  return ['-c ssl=on', `-c ssl_cert_file=${cert}`, `-c ssl_key_file=${key}`];
}

/** initdb + pg_ctl start with fsync off (tests need speed, not durability of the server itself). */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = findBinaries();
  const root = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  for (const dir of [data, sockets]) {
    mkdirSync(dir);
    handOver(dir);
  }
  const auth = ['--auth=trust'];
  if (options.password !== undefined) {
    const passwordFile = join(root, 'password');
    writeFileSync(passwordFile, options.password, { mode: 0o644 });
    auth.splice(0, 1, '--auth=scram-sha-256', `--pwfile=${passwordFile}`);
  }
  await asServerUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    ...auth,
    '-E',
    'UTF8',
    '--no-locale',
  ]);
  const port = await startServer(bin, data, sockets, options.tls ? tlsOptions(root) : []);
  const user =
    options.password === undefined ? 'postgres' : `postgres:${encodeURIComponent(options.password)}`;
  const admin = `postgres://${user}@127.0.0.1:${port}/postgres`;
  let databases = 0;

  return {
    async createDatabase(template) {
      const name = `vigil_test_${++databases}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`create database ${name}${template ? ` template ${template}` : ''}`);
      } finally {
        await client.end();
      }
      return `postgres://${user}@127.0.0.1:${port}/${name}`;
    },
    async restart() {
      // Without -o, pg_ctl restarts with the options the server was started with (port included).
      await asServerUser(join(bin, 'pg_ctl'), [
        '-D',
        data,
        '-l',
        join(data, 'server.log'),
        '-m',
        'immediate',
        '-w',
        'restart',
      ]);
    },
    async stop() {
      await asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Starts on a free port; another process may take the port in between, so it tries a few. */
async function startServer(bin: string, data: string, sockets: string, extra: string[]): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-k ${sockets}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      ...extra,
    ].join(' ');
    try {
      await asServerUser(join(bin, 'pg_ctl'), [
        '-D',
        data,
        '-l',
        join(data, 'server.log'),
        '-w',
        '-o',
        options,
        'start',
      ]);
      return port;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not start the test PostgreSQL server: ${String(lastError)}`);
}
