import type { Client, ClientConfig } from 'pg';
import { Deadline } from './deadline.js';
import { describeError, ProbeFailure } from './errors.js';
import type { ProbeKind, UrlParse, UrlParseContext } from './types.js';
import { decodeComponent, hostOf, portOf, requiringHost } from './url-parts.js';

/** libpq's `sslmode` values the postgres:// probe honours, as libpq reads them. */
export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

/** postgres://USER[:PASSWORD]@HOST:PORT/DATABASE: a session that answers `select 1`. */
export interface PostgresTarget {
  kind: 'postgres';
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** `disable` (the default) starts in plain text; the others require TLS and verify as libpq does. */
  sslMode: PostgresSslMode;
}

const POSTGRES_PORT = 5432;

function isSslMode(text: string): text is PostgresSslMode {
  return (POSTGRES_SSL_MODES as readonly string[]).includes(text);
}

/** postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE] (postgresql:// too). */
function parsePostgresUrl(url: URL, { shown }: UrlParseContext): UrlParse<PostgresTarget> {
  const fail = (why: string): UrlParse<PostgresTarget> => ({ ok: false, error: `"${shown}" ${why}` });
  const form = 'as in postgres://USER:PASSWORD@HOST:PORT/DATABASE';
  const port = portOf(url, POSTGRES_PORT);
  if (port === undefined) return fail('needs a port from 1 to 65535 (5432 when left out)');
  if (url.hash) return fail(`must not have a fragment, ${form}`);
  const unknown = [...url.searchParams.keys()].find((key) => key !== 'sslmode');
  if (unknown !== undefined) return fail(`has unknown query key "${unknown}"; allowed: sslmode`);
  const sslModes = url.searchParams.getAll('sslmode');
  const sslMode = sslModes[0] ?? 'disable';
  if (sslModes.length > 1 || !isSslMode(sslMode)) {
    return fail(`has sslmode "${sslModes.join('", "')}"; allowed: one of ${POSTGRES_SSL_MODES.join(', ')}`);
  }
  const user = decodeComponent(url.username);
  const password = decodeComponent(url.password);
  const database = decodeComponent(url.pathname.slice(1));
  if (user === undefined || password === undefined || database === undefined) {
    return fail('has a malformed %-escape');
  }
  if (!user) return fail(`needs a user, ${form}`);
  if (!database || database.includes('/')) return fail(`needs one database as its path, ${form}`);
  const address: PostgresTarget = { kind: 'postgres', host: hostOf(url), port, user, database, sslMode };
  if (password) address.password = password;
  return { ok: true, address };
}

/** libpq's meaning of each mode, in the driver's terms (it has no `prefer`: a plain start is `disable`). */
function sslOption(mode: PostgresSslMode): ClientConfig['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { checkServerIdentity: () => undefined };
    case 'verify-full':
      return true;
  }
}

/** PostgreSQL's own errors (bad password, unknown database…) carry a SQLSTATE and a clear message. */
function describePostgresError(error: unknown): string {
  const isServerError = error instanceof Error && 'severity' in error && typeof error.message === 'string';
  return isServerError ? error.message : describeError(error);
}

/**
 * postgres://: a new session (startup, authentication) that answers `select 1`, then closed. The
 * driver is loaded on the first check, so configs without PostgreSQL replicas never load it.
 */
export const postgresProbe: ProbeKind<PostgresTarget> = {
  kind: 'postgres',
  url: {
    schemes: ['postgres', 'postgresql'],
    grammar: 'postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE',
    parse: requiringHost(parsePostgresUrl),
  },
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    let client: Client | undefined;
    try {
      const { default: pg } = await deadline.race(import('pg'));
      client = new pg.Client({
        host: target.host,
        port: target.port,
        user: target.user,
        // Asked for only when the server wants one; without this, pg would read PGPASSWORD or ~/.pgpass.
        password: () => {
          if (target.password === undefined) {
            throw new ProbeFailure('the server asks for a password and the URL gives none');
          }
          return target.password;
        },
        database: target.database,
        ssl: sslOption(target.sslMode),
        application_name: 'vigil-probe',
      });
      // Errors after the check gave up (a late reset) must not crash the process.
      client.on('error', () => undefined);
      await deadline.race(client.connect());
      const { rows } = await deadline.race(client.query<{ one: number }>('select 1 as one'));
      if (rows[0]?.one !== 1) throw new ProbeFailure('select 1 did not answer 1');
      return deadline.healthy();
    } catch (error) {
      return deadline.dead(describePostgresError(error));
    } finally {
      // end() during the startup or a query drops the connection at once; a finished one says goodbye.
      client?.end().catch(() => undefined);
      deadline.dispose();
    }
  },
};
