import { redactUrl } from './redact.js';
import type { ReplicaAddress } from './types.js';

export type ReplicaUrlParse = { ok: true; address: ReplicaAddress } | { ok: false; error: string };

/** What a poll replica URL may look like, for error messages. */
export const REPLICA_URL_GRAMMAR =
  'icmp://HOST, tcp://HOST:PORT, ssh://HOST:PORT, tls://HOST:PORT (no path), or an http:// or https:// URL';

/** Parses a poll replica URL with Vigil's grammar (spec §4.1). */
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
  if (scheme !== 'icmp' && scheme !== 'tcp' && scheme !== 'ssh' && scheme !== 'tls') {
    return {
      ok: false,
      error: `"${shown}" has unsupported scheme "${scheme}"; expected ${REPLICA_URL_GRAMMAR}`,
    };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
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
