import type { FastifyInstance } from 'fastify';
import type { PageCache } from '../page/cache.js';
import { sendRepresentation } from '../representation.js';

/** The status page (spec §7), from memory; `no-cache` so browsers revalidate by ETag each time. */
export function pageRoutes(app: FastifyInstance, options: { page: PageCache }) {
  app.get('/', async (request, reply) =>
    sendRepresentation(request, reply, await options.page.compressedCurrent(), 'no-cache'),
  );
}
