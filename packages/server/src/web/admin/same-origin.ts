import type { FastifyRequest } from 'fastify';
import { isSecureRequest } from './cookie.js';

/** The origin of an absolute URL, lowercased as browsers send it; undefined for anything else. */
function originOf(value: string | undefined): string | undefined {
  if (value === undefined || !URL.canParse(value)) return undefined;
  const origin = new URL(value).origin;
  return origin === 'null' ? undefined : origin;
}

/**
 * Whether a form post comes from a page of this site: its `Origin` (or, from browsers that send
 * none, its `Referer`) must be the origin the request was sent to, or the configured page URL's
 * (a proxy may rewrite `Host`). A post carrying neither is refused: every browser that runs the
 * console sends `Origin` with its posts.
 */
export function isSameOrigin(request: FastifyRequest, pageUrl: string): boolean {
  const { origin, referer } = request.headers;
  // A present Origin decides, even `null` (a sandboxed frame, a privacy setting): it is refused.
  const source = origin !== undefined ? originOf(origin) : originOf(referer);
  if (source === undefined) return false;
  const host = request.headers.host;
  // The scheme the browser used: the socket's, or https when a proxy says it terminated TLS.
  const scheme = isSecureRequest(request) ? 'https' : request.protocol;
  const own = host === undefined ? undefined : originOf(`${scheme}://${host}`);
  return source === own || source === originOf(pageUrl);
}
