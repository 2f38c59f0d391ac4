import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import { HEALTH_STATES, type Health } from '../../model/health.js';
import type { AssetCatalog } from '../asset-catalog.js';
import { colorBadge, iconBadge } from '../badge-svg.js';
import { pageImageUrl } from '../page/urls.js';
import { prepare, type Representation, sendRepresentation } from '../representation.js';

/** Vigil's badge images by file name: the status colour, the status icon, in Vigil's sizes. */
const BADGE_FILES = new Map<string, () => string>(
  HEALTH_STATES.flatMap(
    (health: Health): Array<[string, () => string]> => [
      [`color-${health}-default.svg`, () => colorBadge(health)],
      [`icon-${health}-default.svg`, () => iconBadge(health)],
      [`${health}-large.svg`, () => iconBadge(health)],
      [`${health}-small.svg`, () => iconBadge(health)],
    ],
  ),
);

/** Vigil's self-hosted Open Sans, by its file names, from the same font's @fontsource files. */
const FONT_WEIGHTS: Record<string, number> = { light: 300, regular: 400, semibold: 600, bold: 700 };
const FONT_FILE = /^open_sans_(light|regular|semibold|bold)\.(woff2?)$/;

const STYLESHEETS = new Set(['common.css', 'index.css']);

/**
 * Vigil's asset URLs (`/assets/stylesheets/…`, `/assets/fonts/…`, `/assets/images/badges/…`) and
 * `/favicon.ico`, which people hot-link or name in custom_html: each answers with our equivalent.
 * Redirects are relative, so they hold under a sub-path too.
 */
export function vigilAssetRoutes(
  app: FastifyInstance,
  /** Both read on each request: a reload may replace the branding and with it the catalog. */
  options: { assets: () => AssetCatalog; settings: { readonly branding: BrandingConfig } },
) {
  const { assets, settings } = options;
  const require = createRequire(import.meta.url);
  const built = new Map<string, Promise<Representation>>();
  const once = (key: string, build: () => Promise<Representation>) => {
    let representation = built.get(key);
    if (!representation) {
      representation = build();
      built.set(key, representation);
      // A failed read may succeed later; never keep the failure.
      representation.catch(() => built.delete(key));
    }
    return representation;
  };
  const send = async (
    request: FastifyRequest,
    reply: FastifyReply,
    representation: Promise<Representation>,
    cacheControl = 'no-cache',
  ) => {
    reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    return sendRepresentation(request, reply, await representation, cacheControl);
  };

  app.get<{ Params: { file: string } }>('/assets/stylesheets/:file', async (request, reply) => {
    if (!STYLESHEETS.has(request.params.file)) return reply.callNotFound();
    return reply.redirect(`../../${assets().url('page.css')}`, 302);
  });

  app.get<{ Params: { file: string } }>('/assets/images/badges/:file', async (request, reply) => {
    const badge = BADGE_FILES.get(request.params.file);
    if (!badge) return reply.callNotFound();
    const representation = once(request.params.file, async () =>
      prepare(badge(), { contentType: 'image/svg+xml' }),
    );
    return send(request, reply, representation);
  });

  app.get<{ Params: { file: string } }>('/assets/fonts/open_sans/:file', async (request, reply) => {
    const [, weight = '', format = ''] = FONT_FILE.exec(request.params.file) ?? [];
    if (!weight) return reply.callNotFound();
    const path = require.resolve(
      `@fontsource/open-sans/files/open-sans-latin-${FONT_WEIGHTS[weight]}-normal.${format}`,
    );
    const representation = once(request.params.file, async () =>
      prepare(await readFile(path), { contentType: `font/${format}` }),
    );
    return send(request, reply, representation, 'public, max-age=604800');
  });

  app.get('/favicon.ico', async (request, reply) => {
    const { branding } = settings;
    if (!branding.icon_url.startsWith('data:')) {
      const icon = pageImageUrl(branding.icon_url, branding.page_url);
      return icon ? reply.redirect(icon, 302) : reply.callNotFound();
    }
    // Node's fetch decodes data: URLs (base64 or percent-encoded) with their media type.
    const representation = once(`favicon ${branding.icon_url}`, async () => {
      const response = await fetch(branding.icon_url);
      const contentType = response.headers.get('content-type') ?? 'image/png';
      return prepare(Buffer.from(await response.arrayBuffer()), { contentType });
    });
    return send(request, reply, representation);
  });
}
