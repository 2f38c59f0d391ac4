import type { FastifyInstance } from 'fastify';
import type { AssetCatalog } from '../asset-catalog.js';
import { sendRepresentation } from '../representation.js';

/**
 * Static assets by exact name from the catalog's allow-list, so no path can reach another file.
 * A URL carrying the current version (as the page writes it) may be cached for good.
 */
export function assetRoutes(app: FastifyInstance, options: { assets: () => AssetCatalog }) {
  app.get<{ Params: { file: string }; Querystring: { v?: string } }>(
    '/assets/:file',
    async (request, reply) => {
      const { file } = request.params;
      const assets = options.assets();
      const entry = assets.get(file);
      if (!entry) return reply.callNotFound();
      const cacheControl = assets.isCurrent(file, request.query.v)
        ? 'public, max-age=31536000, immutable'
        : 'no-cache';
      return sendRepresentation(request, reply, entry, cacheControl);
    },
  );
}
