import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { basicPassword } from '../http/basic-auth.js';

/** Equal-length digests make the comparison take the same time whatever the guess. */
function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * An onRequest hook for Vigil's token auth: 401 without usable Basic credentials, 403 with the wrong
 * password, both with a `WWW-Authenticate` challenge. Runs before the body is read.
 */
export function requireToken(token: string, realm: string) {
  const challenge = `Basic realm="${realm}"`;
  const expectedDigest = sha256(token);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const password = basicPassword(request.headers.authorization);
    if (password === undefined) {
      return reply.code(401).header('WWW-Authenticate', challenge).send({ error: 'authentication required' });
    }
    if (!timingSafeEqual(sha256(password), expectedDigest)) {
      return reply.code(403).header('WWW-Authenticate', challenge).send({ error: 'wrong token' });
    }
  };
}
