/** A failure whose message is already the short human reason ("status 503", "not an SSH server…"). */
export class ProbeFailure extends Error {}

interface SystemError extends Error {
  code?: string;
  /** OpenSSL's short reason ("wrong version number"), set on TLS errors. */
  reason?: string;
  /** The host name a certificate failed to match (ERR_TLS_CERT_ALTNAME_INVALID). */
  host?: string;
}

const PLAIN_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'EAI_NONAME']);

// OpenSSL certificate verification codes (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT,
// UNABLE_TO_VERIFY_LEAF_SIGNATURE…) and Node's own TLS/SSL codes.
const TLS_CODE =
  /^(ERR_SSL_|ERR_TLS_|EPROTO$)|CERT|SELF_SIGNED|ISSUER|UNABLE_TO_|INVALID_CA|HOSTNAME_MISMATCH/;

/** OpenSSL's reason inside `…error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…`. */
const OPENSSL_REASON = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/;

/** Turns whatever a socket, DNS or TLS step threw into a short reason such as "connection refused". */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof ProbeFailure) return error.message;
  const { code, message, reason, host } = error as SystemError;
  if (code === undefined) return message;
  if (DNS_CODES.has(code)) return `DNS lookup failed (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS: certificate is not valid for ${host}`;
  if (TLS_CODE.test(code)) return `TLS: ${reason ?? OPENSSL_REASON.exec(message)?.[1] ?? message}`;
  // Node's wording when the peer closes before any response arrives.
  if (code === 'ECONNRESET' && message === 'socket hang up') return 'connection closed without a response';
  return PLAIN_REASONS[code] ?? (message.includes(code) ? message : `${message} (${code})`);
}
