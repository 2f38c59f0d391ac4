import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The password of a `Basic` Authorization header (Vigil ignores the user name); undefined if absent or unparsable. */
export function basicPassword(header: string | undefined): string | undefined {
  const match = header?.match(/^Basic\s+(\S*)\s*$/i);
  const encoded = match?.[1];
  if (encoded === undefined || !BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Vigil reads credentials without a colon as an empty password.
  return colon === -1 ? '' : decoded.slice(colon + 1);
}

/** Equal-length digests make the comparison take the same time whatever the guess. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * An onRequest hook for Vigil's token auth: 401 without usable Basic credentials, 403 with the wrong
 * password, both with a `WWW-Authenticate` challenge. Runs before the body is read.
 */
export function requireToken(token: string, realm: string) {
  const challenge = `Basic realm="${realm}"`;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const password = basicPassword(request.headers.authorization);
    if (password === undefined) {
      return reply.code(401).header('WWW-Authenticate', challenge).send({ error: 'authentication required' });
    }
    if (!sameSecret(password, token)) {
      return reply.code(403).header('WWW-Authenticate', challenge).send({ error: 'wrong token' });
    }
  };
}
