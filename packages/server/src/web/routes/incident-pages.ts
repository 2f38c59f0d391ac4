import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import type { IncidentReader } from '../../incidents/log.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Clock } from '../../time/clock.js';
import type { AssetCatalog } from '../asset-catalog.js';
import { html, type SafeHtml } from '../html.js';
import { type HistorySource, historyEntries, historyMain } from '../page/history-page.js';
import { incidentStory, storyTitle } from '../page/incident-story.js';
import { renderSubpage } from '../page/render.js';
import { PAGE_TEXTS } from '../page/texts.js';
import { INCIDENT_ID_PATTERN } from '../validation/fields.js';
import { badRequest, cursor, decodeCursor, encodeCursor, isStartCursor } from './pagination.js';

export interface IncidentPageOptions {
  model: HealthModel;
  incidents: Pick<IncidentReader, 'get'>;
  /** What `/history` lists: incidents, and whatever else registers a source (maintenance). */
  historySources: readonly HistorySource[];
  /** Read on each request: a reload may replace it. */
  settings: { readonly branding: BrandingConfig };
  assets: () => AssetCatalog;
  clock: Clock;
}

/** Entries per `/history` page. */
export const HISTORY_PAGE_SIZE = 25;

const historyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { cursor },
} as const;

/**
 * The incident permalink (`/incident/<id>`: the incident with its whole timeline) and `/history`
 * (incidents and maintenance, newest first, by pages). Rendered per request from the store; links
 * are relative, so the pages work under any path prefix a proxy adds.
 */
export function incidentPageRoutes(app: FastifyInstance, options: IncidentPageOptions) {
  const { model, incidents, clock } = options;
  /** What every page needs, read at each request: a reload may change the branding. */
  const placeOf = (request: FastifyRequest) => {
    const { branding } = options.settings;
    return { branding, texts: PAGE_TEXTS[branding.language], root: rootOf(request.url) };
  };
  const send = (
    reply: FastifyReply,
    place: ReturnType<typeof placeOf>,
    page: { title: string; main: SafeHtml },
  ) =>
    reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .send(
        renderSubpage({
          branding: place.branding,
          health: model.pageHealth,
          nowMs: clock.now(),
          assetUrl: options.assets().url,
          root: place.root,
          ...page,
        }),
      );

  app.get<{ Params: { incidentId: string } }>('/incident/:incidentId', async (request, reply) => {
    const { incidentId } = request.params;
    const story = INCIDENT_ID_PATTERN.test(incidentId) ? await incidents.get(incidentId) : undefined;
    if (!story) return reply.code(404).send({ error: 'unknown incident' });
    const place = placeOf(request);
    const { texts, root } = place;
    const main = html`${incidentStory(story, model, texts, { heading: 'h1', root, link: false })}<nav class="history-pages" aria-label="${texts.history}"><a href="${root}history">${texts.historyTitle}</a><a href="${root || './'}">${texts.statusPage}</a></nav>`;
    return send(reply, place, { title: storyTitle(story, model, texts), main });
  });

  app.get<{ Querystring: { cursor?: string } }>(
    '/history',
    { schema: { querystring: historyQuery } },
    async (request, reply) => {
      const before = decodeCursor(request.query.cursor, isStartCursor);
      if (before instanceof Error) return badRequest(reply, before);
      const place = placeOf(request);
      const { texts, root } = place;
      const { entries, next } = await historyEntries(options.historySources, {
        limit: HISTORY_PAGE_SIZE,
        ...(before && { before: { atMs: before.startedAtMs, id: before.id } }),
        root,
        texts,
      });
      const main = historyMain(entries, texts, {
        root,
        first: before === undefined,
        // The same cursor shape as the manager's list of incidents.
        ...(next && { next: encodeCursor({ startedAtMs: next.atMs, id: next.id }) }),
      });
      return send(reply, place, { title: texts.history, main });
    },
  );
}

/**
 * The status page's folder relative to the requested path: '' for `/history`, `../` for
 * `/incident/<id>` and `/history/`, one more per segment (the router ignores trailing slashes).
 */
function rootOf(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  return '../'.repeat(Math.max(0, path.split('/').length - 2));
}
