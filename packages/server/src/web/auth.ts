import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { basicPassword } from '../http/basic-auth.js';
import type { AuthThrottle } from './auth-throttle.js';

/**
 * A check of candidates against `token` in constant time: the comparison always runs over the
 * token's UTF-8 bytes, so the time taken says nothing about how much of a guess was right. A
 * candidate of another length is refused after comparing the token with itself, the same work as a
 * candidate of the right length; the candidate's own length is the sender's to know anyway. It
 * replaced a SHA-256 of each candidate (~1 µs per report, the reporter's hot path), and compares
 * the same: equal UTF-8 bytes are equal strings. An empty candidate never matches.
 */
export function tokenMatcher(token: string): (candidate: string) => boolean {
  const expected = Buffer.from(token, 'utf8');
  return (candidate) => {
    if (candidate === '') return false;
    const given = Buffer.from(candidate, 'utf8');
    const sameLength = given.length === expected.length;
    return timingSafeEqual(sameLength ? given : expected, expected) && sameLength;
  };
}

/** What the token check makes of a request's head: `ok` lets it through, the others are refused. */
export type TokenVerdict = 'ok' | 'throttled' | 'missing' | 'wrong';

/**
 * The token check alone, with no answer and nothing recorded: the onRequest hook below answers and
 * counts failures, and the reporter's fast path (`web/reporter-fast-path.ts`) takes only requests it
 * finds `ok`, leaving the others to the hook.
 */
export function tokenVerdict(
  token: string,
  realm: string,
  throttle: AuthThrottle,
): (address: string, authorization: string | undefined) => TokenVerdict {
  // The config refuses empty tokens; this keeps any other caller from opening a route by mistake.
  if (token === '') throw new Error(`the token of realm "${realm}" must not be empty`);
  const matches = tokenMatcher(token);
  return (address, authorization) => {
    if (throttle.retryAfterSeconds(address) > 0) return 'throttled';
    const password = basicPassword(authorization);
    if (password === undefined) return 'missing';
    // An empty password (Vigil's reading of a header without a colon) never matches.
    return matches(password) ? 'ok' : 'wrong';
  };
}

/**
 * An onRequest hook for Vigil's token auth: 401 without usable Basic credentials, 403 with the wrong
 * password, both with a `WWW-Authenticate` challenge; 429 with `Retry-After` while the client's
 * address is throttled for too many wrong tokens. Runs before the body is read.
 */
export function requireToken(token: string, realm: string, throttle: AuthThrottle) {
  const challenge = `Basic realm="${realm}"`;
  const verdictOf = tokenVerdict(token, realm, throttle);
  // A callback hook (no promise per request): it answers by itself, or lets the request through.
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const address = request.ip;
    switch (verdictOf(address, request.headers.authorization)) {
      case 'ok':
        done();
        return;
      case 'throttled':
        reply
          .code(429)
          .header('Retry-After', String(throttle.retryAfterSeconds(address)))
          .send({ error: 'too many failed authentications from this address; retry later' });
        return;
      case 'missing':
        reply.code(401).header('WWW-Authenticate', challenge).send({ error: 'authentication required' });
        return;
      case 'wrong':
        throttle.recordFailure({ address, method: request.method, route: request.routeOptions.url ?? '' });
        reply.code(403).header('WWW-Authenticate', challenge).send({ error: 'wrong token' });
    }
  };
}
