import type { ReplicaUrlForm, UrlParse, UrlParseContext } from './types.js';

/** Pieces of a replica URL that several kinds read the same way. */

/** The URL's host without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The URL's port, or `defaultPort` when it names none; undefined for port 0. */
export function portOf(url: URL, defaultPort: number): number | undefined {
  if (!url.port) return defaultPort;
  const port = Number(url.port);
  return port >= 1 ? port : undefined;
}

/** A percent-decoded URL component; undefined when its escapes are malformed. */
export function decodeComponent(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}

/** Refuses a URL without a host before `parse` reads it: `"redis:///" has no host`. */
export function requiringHost<Address>(
  parse: (url: URL, context: UrlParseContext) => UrlParse<Address>,
): (url: URL, context: UrlParseContext) => UrlParse<Address> {
  return (url, context) =>
    hostOf(url) ? parse(url, context) : { ok: false, error: `"${context.shown}" has no host` };
}

/**
 * Vigil's bare forms, `icmp://HOST` and `tcp://HOST:PORT` alike: a host and nothing else, or with
 * `withPort` a host and an explicit port.
 */
export function bareHostUrl<Kind extends string>(
  kind: Kind,
  url: URL,
  { shown, grammar }: UrlParseContext,
): UrlParse<{ kind: Kind; host: string }> {
  const host = hostOf(url);
  if (!host) return { ok: false, error: `"${shown}" has no host` };
  if (url.pathname || url.search || url.hash || url.username || url.password) {
    return {
      ok: false,
      error: `"${shown}" must not have a path, query or credentials; expected ${grammar}`,
    };
  }
  return { ok: true, address: { kind, host } };
}

/** `tcp://HOST:PORT` and its likes: a bare host with an explicit port from 1 to 65535. */
export function bareHostPortUrl<Kind extends string>(
  kind: Kind,
  url: URL,
  context: UrlParseContext,
): UrlParse<{ kind: Kind; host: string; port: number }> {
  const bare = bareHostUrl(kind, url, context);
  if (!bare.ok) return bare;
  const port = Number(url.port);
  if (!url.port || port < 1) {
    const scheme = url.protocol.slice(0, -1);
    return {
      ok: false,
      error: `"${context.shown}" needs an explicit port from 1 to 65535, as in ${scheme}://HOST:PORT`,
    };
  }
  return { ok: true, address: { ...bare.address, port } };
}

/** What a service URL (`mysql://`, `mqtt://`, `grpc://`) holds, %-decoded; absent parts are undefined. */
export interface ServiceUrlParts {
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** The one path segment: MySQL's database, gRPC's service name. */
  path?: string;
}

type Failure = { ok: false; error: string };

/**
 * The URL form of a service kind (`mysql://`, `mqtt://`, `grpc://`): an explicit port as for tcp://,
 * user info where the protocol logs in, at most one path segment. `build` applies the kind's own
 * rules to the parts; every problem is worded `"URL" problem; expected FORM`.
 */
export function serviceUrlForm<Address>(
  scheme: string,
  form: string,
  build: (parts: ServiceUrlParts, fail: (problem: string) => Failure) => UrlParse<Address>,
): ReplicaUrlForm<Address> {
  return {
    schemes: [scheme],
    grammar: form,
    parse(url, { shown }) {
      const fail = (problem: string): Failure => ({
        ok: false,
        error: `"${shown}" ${problem}; expected ${form}`,
      });
      const parts = serviceUrlParts(url, fail);
      return parts.ok ? build(parts.address, fail) : parts;
    },
  };
}

function serviceUrlParts(url: URL, fail: (problem: string) => Failure): UrlParse<ServiceUrlParts> {
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
  const parts: ServiceUrlParts = { host, port };
  if (user !== undefined) parts.user = user;
  if (password !== undefined) parts.password = password;
  if (path !== undefined) parts.path = path;
  return { ok: true, address: parts };
}

/** A URL part as the server must see it: `p%40ss` is `p@ss`; undefined when empty or malformed. */
function decoded(part: string): string | undefined {
  return part ? decodeComponent(part) : undefined;
}
