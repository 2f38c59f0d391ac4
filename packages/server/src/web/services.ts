import type { FastifyBaseLogger } from 'fastify';
import { MemoryAnnouncementStore } from '../announcements/memory.js';
import type { AnnouncementSource } from '../announcements/types.js';
import type { IncidentReader } from '../incidents/log.js';
import type { MaintenanceView } from '../maintenance/types.js';
import type { HealthModel } from '../model/health-model.js';
import type { Clock } from '../time/clock.js';
import type { WebSettings } from './app.js';
import { AuthThrottle } from './auth-throttle.js';
import { BrandedParts } from './branded-parts.js';
import type { PageCache } from './page/cache.js';
import { type HistoryView, PageHistory } from './page/history.js';
import { createStatusPage } from './page/status-page.js';
import { PAGE_TEXTS } from './page/texts.js';
import type { ApiV1Options } from './routes/api-v1.js';

/** What the HTTP surface serves from, built by the composition root and handed to `buildApp` ready. */
export interface WebServices {
  /** What the page announces. */
  announcements: AnnouncementSource;
  /** The per-address limit on wrong tokens, shared by every route that checks one. */
  authThrottle: AuthThrottle;
  branded: BrandedParts;
  /** The status page, re-rendered after changes. */
  page: PageCache;
  /** The history strips and incidents the page shows, when the store has them. */
  pageHistory: () => HistoryView | undefined;
  /** Stops the page's re-rendering and its history reads. */
  close(): Promise<void>;
}

export interface WebServiceOptions {
  settings: WebSettings;
  model: HealthModel;
  logger: FastifyBaseLogger;
  clock: Clock;
  /** What the page announces; defaults to an empty in-memory store. */
  announcements?: AnnouncementSource;
  /** Maintenance windows the page shows; none without. */
  maintenance?: MaintenanceView;
  /** The store's history and incidents, shown on the page; none without it. */
  history?: Pick<ApiV1Options, 'history' | 'incidents'>;
  /** Incidents with their updates (needs `history`): the page lists them and shows the active ones on top. */
  incidents?: IncidentReader;
  /** Shortest time between two page renders; tests that read the page right after a change use 0. */
  pageRenderIntervalMs?: number;
}

/** Builds the page (with its history, when the store has one), the branding's parts and the auth throttle. */
export function createWebServices(options: WebServiceOptions): WebServices {
  const { settings, model, logger, clock } = options;
  const announcements = options.announcements ?? new MemoryAnnouncementStore(clock);
  const authThrottle = new AuthThrottle({
    maxFailures: settings.server.auth_failure_limit,
    windowMs: settings.server.auth_failure_window * 1000,
    clock,
    logger,
  });
  // Read on each use: a reload replaces the branding in `settings`.
  const branded = new BrandedParts(settings);
  const pageHistory =
    options.history &&
    new PageHistory({
      ...options.history,
      incidentLog: options.incidents,
      model,
      clock,
      texts: () => PAGE_TEXTS[settings.branding.language],
      onError: (error) => logger.error({ err: error }, 'cannot read the history for the page'),
    });
  const page = createStatusPage({
    model,
    announcements,
    settings,
    assets: () => branded.assets(),
    clock,
    renderIntervalMs: options.pageRenderIntervalMs,
    history: pageHistory,
    maintenance: options.maintenance,
  });
  pageHistory?.start();
  return {
    announcements,
    authThrottle,
    branded,
    page,
    pageHistory: () => pageHistory?.current,
    async close() {
      page.close();
      await pageHistory?.close();
    },
  };
}
