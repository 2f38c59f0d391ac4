/**
 * Redaction of the secrets a replica URL can carry (user info, token-like query parameters), so that
 * only the prober ever sees them: ids, logs, metrics, APIs, the page and alerts get the redacted form.
 */

import { decodeComponent } from './url-parts.js';

const MASK = '***';

/** Query parameter names whose values are secrets: `token`, `api_key`, `X-Auth`, `sig`, `password`… */
const SECRET_PARAMETER =
  /token|secret|passw(or)?d|^pass$|pwd|api[-_]?key|^key$|access[-_]?key|auth|signature|^sig$|credential|session/i;

/** Everything up to and including the `@` that ends a URL's user info, e.g. `https://user:pw@`. */
const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

/**
 * `raw` with its user info and secret query values masked, and otherwise unchanged character for
 * character (Vigil names a replica by its raw URL, so a URL without secrets keeps its exact id).
 */
export function redactUrl(raw: string): string {
  const withoutUserInfo = raw.replace(USER_INFO, `$1${MASK}@`);
  const fragmentStart = withoutUserInfo.indexOf('#');
  const queryEnd = fragmentStart === -1 ? withoutUserInfo.length : fragmentStart;
  const queryStart = withoutUserInfo.indexOf('?');
  if (queryStart === -1 || queryStart > queryEnd) return withoutUserInfo;
  const query = withoutUserInfo
    .slice(queryStart + 1, queryEnd)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      return isSecretParameter(pair.slice(0, equals)) ? `${pair.slice(0, equals)}=${MASK}` : pair;
    })
    .join('&');
  return `${withoutUserInfo.slice(0, queryStart + 1)}${query}${withoutUserInfo.slice(queryEnd)}`;
}

function isSecretParameter(encodedName: string): boolean {
  // A malformed escape: judge the name as written.
  const name = decodeComponent(encodedName.replace(/\+/g, ' ')) ?? encodedName;
  return SECRET_PARAMETER.test(name);
}
