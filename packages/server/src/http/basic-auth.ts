const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An `Authorization: Basic …` value for an outgoing request. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

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
