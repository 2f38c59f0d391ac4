import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyRequest } from 'fastify';

/** Everything of the console lives under this path, and its cookie is sent nowhere else. */
export const ADMIN_PATH = '/admin';
const SESSION_COOKIE = 'vigil_admin_session';

/**
 * Whether the browser reached us over TLS: directly, or through a proxy that says so in
 * `X-Forwarded-Proto` (its first value, the hop nearest the browser).
 */
export function isSecureRequest(request: FastifyRequest): boolean {
  if ('encrypted' in request.raw.socket && request.raw.socket.encrypted === true) return true;
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first?.toLowerCase() === 'https';
}

export function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header === undefined ? undefined : parseCookie(header)[SESSION_COOKIE];
}

/**
 * The session cookie: never readable by scripts, never sent along with a request another site
 * starts, only to the console's paths, and only over TLS when the console is served over TLS.
 * `maxAgeSeconds` 0 deletes it.
 */
export function sessionCookie(request: FastifyRequest, id: string, maxAgeSeconds: number): string {
  return stringifySetCookie(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'strict',
    path: ADMIN_PATH,
    secure: isSecureRequest(request),
    maxAge: maxAgeSeconds,
  });
}
