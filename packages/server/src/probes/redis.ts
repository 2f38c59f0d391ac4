import type { Socket } from 'node:net';
import { checkOverTcp, startTls } from './connect.js';
import type { Deadline } from './deadline.js';
import { ProbeFailure } from './errors.js';
import type { ProbeKind, UrlParse, UrlParseContext } from './types.js';
import { decodeComponent, hostOf, portOf, requiringHost } from './url-parts.js';

/** redis://[[USER]:PASSWORD@]HOST:PORT: PING answered with PONG, after AUTH when a password is given. */
export interface RedisTarget {
  kind: 'redis';
  host: string;
  port: number;
  /** rediss://: TLS first, the certificate verified for `host`. */
  tls: boolean;
  username?: string;
  password?: string;
}

const REDIS_PORT = 6379;
/** A status or error reply longer than this is not a Redis server's. */
const MAX_REPLY_BYTES = 4096;

/** redis[s]://[[USER]:PASSWORD@]HOST[:PORT], no path: Redis's own URL form without a database number. */
function parseRedisUrl(url: URL, { shown }: UrlParseContext): UrlParse<RedisTarget> {
  const fail = (why: string): UrlParse<RedisTarget> => ({ ok: false, error: `"${shown}" ${why}` });
  const port = portOf(url, REDIS_PORT);
  if (port === undefined) return fail('needs a port from 1 to 65535 (6379 when left out)');
  if (url.pathname || url.search || url.hash) {
    return fail('must not have a path, query or fragment, as in redis://:PASSWORD@HOST:PORT');
  }
  const username = decodeComponent(url.username);
  const password = decodeComponent(url.password);
  if (username === undefined || password === undefined)
    return fail('has a malformed %-escape in its credentials');
  if (username && !password) return fail('names a user without a password, as in redis://USER:PASSWORD@HOST');
  const address: RedisTarget = { kind: 'redis', host: hostOf(url), port, tls: url.protocol === 'rediss:' };
  if (username) address.username = username;
  if (password) address.password = password;
  return { ok: true, address };
}

/** One command in RESP, Redis's wire format: an array of bulk strings, so any byte may be sent. */
export function encodeCommand(...parts: string[]): string {
  const bulk = parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('');
  return `*${parts.length}\r\n${bulk}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * Reads `count` one-line replies (`+OK`, `-ERR …`): the only kinds AUTH and PING answer with.
 * Anything else is not a Redis server.
 */
function readReplies(socket: Socket, count: number, deadline: Deadline): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const lines = data.split('\r\n');
      const complete = lines.slice(0, -1);
      const bad = [...complete, ...lines.slice(-1)].find(
        (line) => line.length > MAX_REPLY_BYTES || (line !== '' && !/^[+-]/.test(line)),
      );
      if (bad !== undefined) reject(new ProbeFailure(`not a Redis server (got ${quote(bad)})`));
      else if (complete.length >= count) resolve(complete.slice(0, count));
    });
    socket.once('end', () => reject(new ProbeFailure('connection closed before a reply')));
    socket.once('error', reject);
    deadline.onAbort(() => reject(deadline.reason));
  });
}

/** Sends AUTH (when the target has a password) and PING at once; throws unless OK and PONG come back. */
async function authAndPing(socket: Socket, target: RedisTarget, deadline: Deadline): Promise<void> {
  const commands: string[] = [];
  if (target.password !== undefined) {
    const credentials = target.username ? [target.username, target.password] : [target.password];
    commands.push(encodeCommand('AUTH', ...credentials));
  }
  commands.push(encodeCommand('PING'));
  socket.write(commands.join(''));
  const replies = await readReplies(socket, commands.length, deadline);
  const pong = replies.pop();
  const auth = replies.pop();
  if (auth !== undefined && auth !== '+OK') throw new ProbeFailure(`AUTH refused: ${auth.slice(1)}`);
  if (pong !== '+PONG') throw new ProbeFailure(`PING answered ${quote(pong?.slice(1) ?? '')}`);
}

/**
 * redis:// and rediss:// (TLS first): healthy when AUTH says OK and PING answers PONG. No other
 * command is sent and no data is read.
 */
export const redisProbe: ProbeKind<RedisTarget> = {
  kind: 'redis',
  url: {
    schemes: ['redis', 'rediss'],
    grammar: 'redis[s]://[[USER]:PASSWORD@]HOST[:PORT]',
    parse: requiringHost(parseRedisUrl),
  },
  check: (target, context) =>
    checkOverTcp(target.host, target.port, context, async (plain, deadline) => {
      if (!target.tls) return authAndPing(plain, target, deadline);
      const secure = await startTls(plain, target.host, deadline);
      try {
        await authAndPing(secure, target, deadline);
      } finally {
        secure.destroy();
      }
    }),
};
