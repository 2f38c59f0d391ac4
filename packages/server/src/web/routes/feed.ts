import type { FastifyInstance } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import { ATOM_MEDIA_TYPE, FEED_ENTRIES_MAX, FEED_PATH, renderAtom } from '../../feed/atom.js';
import { collectEntries, type FeedSource, onAnyChange } from '../../feed/entry.js';
import type { Clock } from '../../time/clock.js';
import { prepare, type Representation, sendRepresentation } from '../representation.js';

export interface FeedOptions {
  sources: readonly FeedSource[];
  clock: Clock;
  /** `branding` is read on each render: a reload may replace it. */
  settings: { readonly branding: BrandingConfig };
}

/**
 * Readers poll: the document is built at most this often (or after a source reports a change), so a
 * crowd of them costs one store read per interval, not one per request.
 */
const FEED_REBUILD_MS = 5000;

/** The Atom feed of incidents, maintenance and announcements (docs/subscriptions.md). */
export function feedRoutes(app: FastifyInstance, options: FeedOptions) {
  const { sources, clock, settings } = options;
  let built: { atMs: number; representation: Representation } | undefined;
  const stopListening = onAnyChange(sources, () => {
    built = undefined;
  });
  app.addHook('onClose', async () => stopListening());
  const current = async (): Promise<Representation> => {
    const nowMs = clock.now();
    if (built && nowMs - built.atMs < FEED_REBUILD_MS) return built.representation;
    const entries = await collectEntries(sources, FEED_ENTRIES_MAX);
    const representation = prepare(renderAtom(settings.branding, entries, nowMs), {
      contentType: ATOM_MEDIA_TYPE,
      brotliQuality: 5,
    });
    built = { atMs: nowMs, representation };
    return representation;
  };

  app.get(`/${FEED_PATH}`, async (request, reply) =>
    sendRepresentation(request, reply, await current(), 'public, max-age=60'),
  );
}
