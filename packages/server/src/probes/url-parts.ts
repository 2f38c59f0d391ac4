/** Pieces of a replica URL that several kinds read the same way. */

/** The URL's host without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The URL's port, or `defaultPort` when it names none; undefined for port 0. */
export function portOf(url: URL, defaultPort: number): number | undefined {
  if (!url.port) return defaultPort;
  const port = Number(url.port);
  return port >= 1 ? port : undefined;
}

/** A percent-decoded URL component; undefined when its escapes are malformed. */
export function decodeComponent(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}
