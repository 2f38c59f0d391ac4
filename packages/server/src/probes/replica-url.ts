import { parseDnsUrl } from './dns.js';
import { parsePostgresUrl } from './postgres.js';
import { redactUrl } from './redact.js';
import { parseRedisUrl } from './redis.js';
import type { GrpcTarget, MqttTarget, MysqlTarget, ReplicaAddress } from './types.js';
import { decodeComponent, hostOf } from './url-parts.js';

export type ReplicaUrlParse = { ok: true; address: ReplicaAddress } | { ok: false; error: string };

/** Reads the URL of one kind beyond Vigil's; `shown` is the URL as errors may quote it (redacted). */
export type KindUrlParser = (url: URL, shown: string) => ReplicaUrlParse;

/** The URL forms of the kinds Vigil TS adds, for error messages. */
export const ADDED_KINDS_GRAMMAR =
  'mysql://USER[:PASSWORD]@HOST:PORT[/DATABASE], mqtt://[USER[:PASSWORD]@]HOST:PORT, ' +
  'grpc://HOST:PORT[/SERVICE], dns://RESOLVER[:PORT]/NAME[?type=TYPE&expect=ANSWER], ' +
  'redis[s]://[[USER]:PASSWORD@]HOST[:PORT] or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE';

/** What a poll replica URL may look like, for error messages. */
export const REPLICA_URL_GRAMMAR = `icmp://HOST, tcp://HOST:PORT, ssh://HOST:PORT, tls://HOST:PORT (no path), an http:// or https:// URL, ${ADDED_KINDS_GRAMMAR}`;

/** Kinds whose file parses their own URL, by scheme: one line per kind. */
const KIND_PARSERS: Readonly<Record<string, KindUrlParser>> = {
  dns: parseDnsUrl,
  redis: parseRedisUrl,
  rediss: parseRedisUrl,
  postgres: parsePostgresUrl,
  postgresql: parsePostgresUrl,
};

/** Parses a poll replica URL with Vigil's grammar (spec §4.1) and the kinds Vigil TS adds. */
export function parseReplicaUrl(raw: string): ReplicaUrlParse {
  // Error messages quote the URL as written, less its secrets: they end up in logs.
  const shown = redactUrl(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: `"${shown}" is not a URL; expected ${REPLICA_URL_GRAMMAR}` };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'http' || scheme === 'https') {
    if (!url.hostname) return { ok: false, error: `"${shown}" has no host` };
    return { ok: true, address: { kind: 'http', url: url.href } };
  }
  if (scheme === 'mysql' || scheme === 'mqtt' || scheme === 'grpc') {
    return parseServiceUrl(url, scheme, shown);
  }
  const kindParser = Object.hasOwn(KIND_PARSERS, scheme) ? KIND_PARSERS[scheme] : undefined;
  if (kindParser) {
    if (!hostOf(url)) return { ok: false, error: `"${shown}" has no host` };
    return kindParser(url, shown);
  }
  if (scheme !== 'icmp' && scheme !== 'tcp' && scheme !== 'ssh' && scheme !== 'tls') {
    return {
      ok: false,
      error: `"${shown}" has unsupported scheme "${scheme}"; expected ${REPLICA_URL_GRAMMAR}`,
    };
  }
  const host = hostOf(url);
  if (!host) return { ok: false, error: `"${shown}" has no host` };
  if (url.pathname || url.search || url.hash || url.username || url.password) {
    return {
      ok: false,
      error: `"${shown}" must not have a path, query or credentials; expected ${REPLICA_URL_GRAMMAR}`,
    };
  }
  if (scheme === 'icmp') {
    if (url.port) return { ok: false, error: `"${shown}" must not have a port: ICMP has none` };
    return { ok: true, address: { kind: 'icmp', host } };
  }
  const port = Number(url.port);
  if (!url.port || port < 1) {
    return {
      ok: false,
      error: `"${shown}" needs an explicit port from 1 to 65535, as in ${scheme}://HOST:PORT`,
    };
  }
  return { ok: true, address: { kind: scheme, host, port } };
}

type ServiceScheme = 'mysql' | 'mqtt' | 'grpc';

/** Each service scheme's form, quoted in its errors. */
const SERVICE_FORMS: Record<ServiceScheme, string> = {
  mysql: 'mysql://USER[:PASSWORD]@HOST:PORT[/DATABASE]',
  mqtt: 'mqtt://[USER[:PASSWORD]@]HOST:PORT',
  grpc: 'grpc://HOST:PORT[/SERVICE]',
};

/** A URL part as the server must see it: `p%40ss` is `p@ss`; undefined when empty or malformed. */
function decoded(part: string): string | undefined {
  return part ? decodeComponent(part) : undefined;
}

/**
 * The URL forms of the service probes: an explicit port as for tcp://, user info where the protocol
 * logs in, and at most one path segment (MySQL's database, gRPC's service name).
 */
function parseServiceUrl(url: URL, scheme: ServiceScheme, shown: string): ReplicaUrlParse {
  const form = SERVICE_FORMS[scheme];
  const fail = (problem: string): ReplicaUrlParse => ({
    ok: false,
    error: `"${shown}" ${problem}; expected ${form}`,
  });
  const host = hostOf(url);
  if (!host) return fail('has no host');
  const port = Number(url.port);
  if (!url.port || port < 1) return fail('needs an explicit port from 1 to 65535');
  if (url.search || url.hash) return fail('must not have a query or fragment');
  const segment = url.pathname.replace(/^\//, '');
  if (segment.includes('/')) return fail('has more than one path segment');
  const user = decoded(url.username);
  const password = decoded(url.password);
  if ((url.username && user === undefined) || (url.password && password === undefined)) {
    return fail('has a malformed %-escape in its user info');
  }
  const path = decoded(segment);
  if (segment && path === undefined) return fail('has a malformed %-escape in its path');
  if (scheme === 'grpc') {
    if (url.username || url.password) return fail('must not have credentials (gRPC health checks send none)');
    const address: GrpcTarget = { kind: 'grpc', host, port, service: path ?? '' };
    return { ok: true, address };
  }
  if (scheme === 'mqtt') {
    if (segment) return fail('must not have a path');
    if (password !== undefined && user === undefined) return fail('has a password but no user');
    const address: MqttTarget = { kind: 'mqtt', host, port };
    if (user !== undefined) address.username = user;
    if (password !== undefined) address.password = password;
    return { ok: true, address };
  }
  if (user === undefined) return fail('needs a user');
  const address: MysqlTarget = { kind: 'mysql', host, port, user };
  if (password !== undefined) address.password = password;
  if (path !== undefined) address.database = path;
  return { ok: true, address };
}
