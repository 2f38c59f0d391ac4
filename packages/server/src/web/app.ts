import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { MemoryAnnouncementStore } from '../announcements/memory.js';
import type { AnnouncementSource } from '../announcements/types.js';
import type { RawConfig } from '../config/schema.js';
import type { VigilMetrics } from '../metrics/index.js';
import type { HealthModel } from '../model/health-model.js';
import { type Clock, systemClock } from '../time/clock.js';
import { AssetCatalog } from './asset-catalog.js';
import { brandStyles } from './page/brand.js';
import { createStatusPage } from './page/status-page.js';
import { type ApiV1Options, apiV1Routes } from './routes/api-v1.js';
import { assetRoutes } from './routes/assets.js';
import { badgeRoutes } from './routes/badge.js';
import { embedRoutes } from './routes/embed.js';
import { liveRoutes } from './routes/live.js';
import { type AnnouncementManager, type IgnoreWindowControl, managerRoutes } from './routes/manager.js';
import { type DeliveryLog, managerNotificationRoutes } from './routes/manager-notifications.js';
import { mcpRoutes } from './routes/mcp.js';
import { metricsRoutes } from './routes/metrics.js';
import { pageRoutes } from './routes/page.js';
import { reporterRoutes } from './routes/reporter.js';
import { statusRoutes } from './routes/status.js';
import { contentSecurityPolicy, securityHeaders } from './security.js';

export interface AppDependencies {
  config: RawConfig;
  model: HealthModel;
  logger: FastifyBaseLogger;
  /** What the page announces; defaults to an empty in-memory store. */
  announcements?: AnnouncementSource;
  clock?: Clock;
  /** Shortest time between two page renders; tests that read the page right after a change use 0. */
  pageRenderIntervalMs?: number;
  /** Present when `[prometheus] enabled = true`: serves `/metrics`. */
  metrics?: VigilMetrics;
  /** The notification dispatcher's delivery log, when `[notify]` is configured. */
  notifications?: DeliveryLog;
  /** Durable state behind Vigil's manager API (pass the same announcements as above); no routes without it. */
  manager?: { announcements: AnnouncementManager; ignoreWindow: IgnoreWindowControl };
  /** The store's history and incidents: serves the public `/api/v1`; no routes without it. */
  history?: Pick<ApiV1Options, 'history' | 'incidents'>;
}

/** Vigil's default body limit; routes that expect small bodies set their own lower bound. */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** The HTTP surface: routes translate HTTP to model calls and back. */
export function buildApp(dependencies: AppDependencies): FastifyInstance {
  const { config, model, logger, clock = systemClock } = dependencies;
  const announcements = dependencies.announcements ?? new MemoryAnnouncementStore(clock);
  const app = Fastify({
    loggerInstance: logger,
    // One log line per request would drown the log at thousands of reports a second.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Vigil trims trailing slashes and collapses doubled ones: every route answers both ways.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  // Vigil accepts any `*/*+json` media type as JSON.
  app.addContentTypeParser(
    /^[\w.-]+\/[\w.-]+\+json(;|$)/i,
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  const branding = config.branding;
  const headers = securityHeaders(contentSecurityPolicy(branding.custom_html));
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(headers);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal error' });
    }
    // Vigil answers an unusable Content-Type with 400, not 415.
    return reply.code(status === 415 ? 400 : status).send({ error: error.message });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));

  const assets = AssetCatalog.load({ extraCss: brandStyles(branding.logo_color) });
  const page = createStatusPage({
    model,
    announcements,
    branding,
    assets,
    clock,
    renderIntervalMs: dependencies.pageRenderIntervalMs,
  });
  app.addHook('onClose', async () => page.close());

  // On the root instance: its request counter must see routes of every scope.
  if (dependencies.metrics)
    metricsRoutes(app, { metrics: dependencies.metrics, token: config.prometheus.token });

  app.register(async (scope) => {
    reporterRoutes(scope, { model, token: config.server.reporter_token });
    statusRoutes(scope, { model, branding });
    pageRoutes(scope, { page });
    assetRoutes(scope, { assets });
    badgeRoutes(scope, { model });
    liveRoutes(scope, { page, headers });
    embedRoutes(scope, { model, clock, assets, branding });
    mcpRoutes(scope, { config, model, clock });
    managerNotificationRoutes(scope, { token: config.server.manager_token, log: dependencies.notifications });
    if (dependencies.manager) {
      managerRoutes(scope, { ...dependencies.manager, token: config.server.manager_token, model, clock });
    }
    if (dependencies.history) apiV1Routes(scope, { ...dependencies.history, model, announcements, clock });
  });
  return app;
}
