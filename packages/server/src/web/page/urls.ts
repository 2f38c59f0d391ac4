/**
 * A page under the status page, relative to it: `<folder>/<id>/…/`. Ids may hold any character, so
 * each is one encoded path segment; an id of `.` or `..` would move the link up a folder (browsers
 * resolve such segments even encoded), so such a page has no link.
 */
function idPath(folder: string, ids: readonly string[]): string | undefined {
  if (ids.some((id) => id === '.' || id === '..')) return undefined;
  return `${folder}/${ids.map(encodeURIComponent).join('/')}/`;
}

/** The node's detail page, relative to the status page: `node/<service>/<node>/`. */
export function nodeDetailsPath(serviceId: string, nodeId: string): string | undefined {
  return idPath('node', [serviceId, nodeId]);
}

/** The page of all of a service's nodes, relative to the status page: `service/<service>/`. */
export function servicePagePath(serviceId: string): string | undefined {
  return idPath('service', [serviceId]);
}

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const IMAGE_PROTOCOLS = new Set(['http:', 'https:', 'data:']);

/** A link target, or undefined for schemes that can run code (`javascript:`, `data:`), which URL parsing accepts. */
export function safeLinkUrl(value: string | undefined): string | undefined {
  return withProtocol(value, LINK_PROTOCOLS);
}

/**
 * An image URL as the page should reference it. One under `page_url` is written relative, so the
 * page loads it from whatever host and sub-path it is reached by (a reverse proxy, localhost).
 */
export function pageImageUrl(value: string, pageUrl: string): string | undefined {
  const url = withProtocol(value, IMAGE_PROTOCOLS);
  // An image in an <img> never runs script, but a `data:` URL must at least claim to be one.
  if (url === undefined || (url.startsWith('data:') && !/^data:image\//i.test(url))) return undefined;
  const base = new URL(pageUrl);
  const baseHref = base.href.slice(0, base.href.length - base.search.length - base.hash.length);
  const directory = baseHref.endsWith('/') ? baseHref : baseHref.slice(0, baseHref.lastIndexOf('/') + 1);
  const relative = url.startsWith(directory) ? url.slice(directory.length) : '';
  // `./` keeps a first segment holding `:` from reading as a scheme; `//host` is no relative path.
  return relative && !relative.startsWith('/') ? `./${relative}` : url;
}

function withProtocol(value: string | undefined, protocols: ReadonlySet<string>): string | undefined {
  if (value === undefined || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return protocols.has(url.protocol) ? url.href : undefined;
}
