import { Deadline } from './deadline.js';
import { describeError } from './errors.js';
import type { ProbeKind } from './types.js';
import { serviceUrlForm } from './url-parts.js';

/** mysql://USER[:PASSWORD]@HOST:PORT[/DATABASE]: log in, then `SELECT 1`. */
export interface MysqlTarget {
  kind: 'mysql';
  host: string;
  port: number;
  user: string;
  password?: string;
  database?: string;
}

/** Failures the driver itself names (its codes are not socket codes), in plain words. */
const DRIVER_REASONS: Record<string, string> = {
  PROTOCOL_CONNECTION_LOST: 'connection closed by the server',
  HANDSHAKE_NO_SSL_SUPPORT: 'the server refused the connection',
};

/**
 * The server's own message when it answered with an error ("Access denied for user…", "Unknown
 * database…"), else the usual socket/DNS reason.
 */
function describeMysqlError(error: unknown): string {
  if (error instanceof Error) {
    const { code, sqlMessage } = error as Error & { code?: string; sqlMessage?: string };
    if (sqlMessage) return `MySQL: ${sqlMessage}`;
    if (code !== undefined && DRIVER_REASONS[code]) return DRIVER_REASONS[code];
  }
  return describeError(error);
}

/**
 * mysql://USER[:PASSWORD]@HOST:PORT[/DATABASE]: logs in (to the database, when named) and runs
 * `SELECT 1`, so a server that accepts connections but cannot answer queries is dead. The driver
 * is loaded on the first check: configurations without MySQL replicas never load it.
 */
export const mysqlProbe: ProbeKind<MysqlTarget> = {
  kind: 'mysql',
  url: serviceUrlForm(
    'mysql',
    'mysql://USER[:PASSWORD]@HOST:PORT[/DATABASE]',
    ({ host, port, user, password, path }, fail) => {
      if (user === undefined) return fail('needs a user');
      const address: MysqlTarget = { kind: 'mysql', host, port, user };
      if (password !== undefined) address.password = password;
      if (path !== undefined) address.database = path;
      return { ok: true, address };
    },
  ),
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    try {
      const { createConnection } = await deadline.race(import('mysql2'));
      const connection = createConnection({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database,
        connectTimeout: context.timeoutMs,
      });
      // Errors after the query settles (the server hanging up later) must not crash the process.
      connection.on('error', () => undefined);
      const stopWatching = deadline.onAbort(() => connection.destroy());
      try {
        await deadline.race(
          new Promise<void>((resolve, reject) =>
            connection.query('SELECT 1', (error) => (error ? reject(error) : resolve())),
          ),
        );
        const result = deadline.healthy();
        // COM_QUIT, so the server does not log an aborted connection for every check.
        connection.end(() => undefined);
        return result;
      } catch (error) {
        connection.destroy();
        throw error;
      } finally {
        stopWatching();
      }
    } catch (error) {
      return deadline.dead(describeMysqlError(error));
    } finally {
      deadline.dispose();
    }
  },
};
