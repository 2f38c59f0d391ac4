/** What stands in for a hidden credential. */
export const REDACTED = 'REDACTED';

/** Query parameters that carry a secret by their name (`?token=`, `?api_key=`, `?X-Amz-Signature=`…). */
const SECRET_PARAMETER = /token|key|secret|pass|auth|sig|credential|session|code/i;

/**
 * A replica id or endpoint fit for a log line: a URL's `user:password@` and the values of its
 * secret-looking query parameters become REDACTED. Anything else (a push replica's name, a script's
 * index, a URL without secrets) comes back exactly as given.
 */
export function withoutCredentials(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  let redacted = false;
  if (url.username !== '' || url.password !== '') {
    url.username = REDACTED;
    url.password = '';
    redacted = true;
  }
  for (const name of new Set(url.searchParams.keys())) {
    if (SECRET_PARAMETER.test(name)) {
      url.searchParams.set(name, REDACTED);
      redacted = true;
    }
  }
  return redacted ? url.href : text;
}

/** `service:node:replica`, the replica redacted, as log lines name a replica. */
export function replicaPath(ref: { serviceId: string; nodeId: string; replicaId: string }): string {
  return `${ref.serviceId}:${ref.nodeId}:${withoutCredentials(ref.replicaId)}`;
}
