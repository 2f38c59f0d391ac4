import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { FeedSource } from '../feed/entry.js';
import { feedSources } from '../feed/sources.js';
import type { IncidentLog } from '../incidents/log.js';
import type { MaintenanceView } from '../maintenance/types.js';
import type { VigilMetrics } from '../metrics/index.js';
import type { HealthModel } from '../model/health-model.js';
import type { ObservationSink } from '../model/observation.js';
import type { Settings } from '../settings/settings.js';
import type { Subscriptions } from '../subscriptions/subscriptions.js';
import { type Clock, systemClock } from '../time/clock.js';
import { adminRoutes } from './admin/routes.js';
import { allowCrossOriginReads } from './api-cors.js';
import { limitConnections, serverTimeouts } from './connection-limits.js';
import { answerErrors, ERROR_SERVER_OPTIONS } from './errors.js';
import { registerOpenApi } from './openapi.js';
import { type HistorySource, incidentHistory } from './page/history-page.js';
import { requestIds } from './reporter-fast-path.js';
import { type ApiV1Options, apiV1Routes } from './routes/api-v1.js';
import { assetRoutes } from './routes/assets.js';
import { badgeRoutes } from './routes/badge.js';
import { type ClusterStatusSource, clusterRoutes } from './routes/cluster.js';
import { embedRoutes } from './routes/embed.js';
import { feedRoutes } from './routes/feed.js';
import { healthRoutes, type ReadinessProbe } from './routes/health.js';
import { incidentPageRoutes } from './routes/incident-pages.js';
import { liveRoutes } from './routes/live.js';
import {
  type AnnouncementManager,
  type DeliveryLog,
  type IgnoreWindowControl,
  type MaintenanceManager,
  managerRoutes,
} from './routes/manager.js';
import { managerIncidentRoutes } from './routes/manager-incidents.js';
import { managerWebhookRoutes } from './routes/manager-webhooks.js';
import { mcpRoutes } from './routes/mcp.js';
import { metricsRoutes } from './routes/metrics.js';
import { nodePageRoutes } from './routes/node-page.js';
import { pageRoutes } from './routes/page.js';
import { reporterEndpoint, reporterRoutes } from './routes/reporter.js';
import { servicePageRoutes } from './routes/service-page.js';
import { statusRoutes } from './routes/status.js';
import { subscribeRoutes } from './routes/subscribe.js';
import { vigilAssetRoutes } from './routes/vigil-assets.js';
import type { WebServices } from './services.js';
import { PATH_PARAM_MAX_UTF16_UNITS } from './validation/fields.js';

/** The settings the HTTP surface runs on. */
export type WebSettings = Pick<Settings, 'server' | 'branding' | 'prometheus' | 'metrics'>;

export interface AppDependencies {
  settings: WebSettings;
  model: HealthModel;
  logger: FastifyBaseLogger;
  /** The page, its announcements, the branding's parts and the auth throttle, built by `createWebServices`; closed with the app. */
  services: WebServices;
  clock?: Clock;
  /** Present when `[prometheus] enabled = true`: serves `/metrics`. */
  metrics?: VigilMetrics;
  /** The notification dispatcher's delivery log, when `[notify]` is configured. */
  notifications?: DeliveryLog;
  /** Durable state behind Vigil's manager API (pass the same announcements as the services'); no routes without it. */
  manager?: {
    announcements: AnnouncementManager;
    ignoreWindow: IgnoreWindowControl;
    maintenance?: MaintenanceManager;
  };
  /** Maintenance windows for `/api/v1` and the node pages (pass the same schedule as the services' and the manager's); none without. */
  maintenance?: MaintenanceView;
  /** The store's history and incidents: serves the public `/api/v1` and the page's history; none without it. */
  history?: Pick<ApiV1Options, 'history' | 'incidents'>;
  /** The store `/readyz` checks; without it the server is always ready. */
  store?: ReadinessProbe;
  /**
   * `[cluster]`: serves `/api/v1/cluster` and `/manager/cluster/`, and reports go to its
   * `observations` (the model and the other members); none without it.
   */
  cluster?: ClusterStatusSource & { observations: ObservationSink };
  /**
   * Incidents with their updates (pass the same log as the services'): the permalinks, `/history`,
   * and with `manager` the manager API's incident routes; none without it.
   */
  incidents?: IncidentLog;
  /** More for `/history` to list beside the incidents (past maintenance windows). */
  historySources?: readonly HistorySource[];
  /** What `/feed.atom` lists; the announcements (and the history's incidents) when absent. */
  feedSources?: readonly FeedSource[];
  /** Email sign-up and webhook subscriptions (docs/subscriptions.md); none without them. */
  subscriptions?: Pick<Subscriptions, 'signup' | 'webhooks'>;
}

/** Answers meant for programs (JSON, or no body at all, like the reporter's 200s). */
const DATA_ANSWER = /^(application\/json|)$/i;

/** Vigil's default body limit; routes that expect small bodies set their own lower bound. */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** The HTTP surface: routes translate HTTP to model calls and back. */
export function buildApp(dependencies: AppDependencies): FastifyInstance {
  const { settings, model, logger, clock = systemClock } = dependencies;
  const { announcements, authThrottle, branded, page, pageHistory } = dependencies.services;
  const requestId = requestIds();
  const reporter = reporterEndpoint({
    model,
    observations: dependencies.cluster?.observations,
    clock,
    token: settings.server.reporter_token,
    throttle: authThrottle,
    replicasPerNodeMax: () => settings.metrics.reported_replicas_max,
    logger,
    requestId,
    count: dependencies.metrics?.reporterRequests,
  });
  const timeouts = serverTimeouts(settings.server);
  const app = Fastify({
    loggerInstance: logger,
    // One log line per request would drown the log at thousands of reports a second.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Vigil trims trailing slashes and collapses doubled ones: every route answers both ways.
    routerOptions: {
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      // Room for every replica id a report can create, so the flush route accepts it too.
      maxParamLength: PATH_PARAM_MAX_UTF16_UNITS,
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    ...timeouts,
    ...ERROR_SERVER_OPTIONS,
    // Plain reports are answered below Fastify (web/reporter-fast-path.ts), so root hooks never see
    // them: what they add to a report's answer (nosniff, the metrics count) the fast path does itself.
    serverFactory: reporter.fastPath.serverFactory(timeouts),
    genReqId: requestId,
  });
  app.addHook('preClose', (done) => {
    reporter.fastPath.close();
    done();
  });
  limitConnections(app.server, settings.server.max_connections, clock, logger);

  // Before any route: both act on routes as they are declared.
  allowCrossOriginReads(app, settings.server.api_cors_origins);
  registerOpenApi(app);

  // Vigil accepts any `*/*+json` media type as JSON.
  app.addContentTypeParser(
    /^[\w.-]+\/[\w.-]+\+json(;|$)/i,
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  // Anything a browser may render gets the full set; answers for programs (JSON, the reporter's empty
  // 200s) only nosniff, as CSP and framing rules do nothing there and the reporter path stays lean.
  // A callback hook, not an async one: it runs on every response, the reporter's included.
  app.addHook('onSend', (_request, reply, payload, done) => {
    const mediaType =
      String(reply.getHeader('content-type') ?? '')
        .split(';')[0]
        ?.trim() ?? '';
    if (DATA_ANSWER.test(mediaType)) reply.header('X-Content-Type-Options', 'nosniff');
    else reply.headers(branded.documentHeaders());
    done(null, payload);
  });

  answerErrors(app);

  app.addHook('onClose', () => dependencies.services.close());

  // On the root instance: its request counter must see routes of every scope.
  if (dependencies.metrics)
    metricsRoutes(app, {
      metrics: dependencies.metrics,
      token: settings.prometheus.token,
      throttle: authThrottle,
    });

  app.register(async (scope) => {
    healthRoutes(scope, { store: dependencies.store, clock });
    reporterRoutes(scope, reporter);
    statusRoutes(scope, { model, settings });
    pageRoutes(scope, { page });
    assetRoutes(scope, { assets: () => branded.assets() });
    vigilAssetRoutes(scope, { assets: () => branded.assets(), settings });
    badgeRoutes(scope, { model, history: dependencies.history?.history });
    liveRoutes(scope, { page, headers: () => branded.documentHeaders() });
    embedRoutes(scope, { model, clock, assets: branded.assets(), settings });
    await mcpRoutes(scope, { settings, model, clock });
    if (dependencies.manager) {
      const deliveries = dependencies.notifications;
      managerRoutes(scope, {
        ...dependencies.manager,
        token: settings.server.manager_token,
        throttle: authThrottle,
        model,
        clock,
        deliveries,
      });
    }
    if (dependencies.history) {
      const { maintenance } = dependencies;
      apiV1Routes(scope, { ...dependencies.history, model, announcements, clock, maintenance });
    }
    if (dependencies.history)
      nodePageRoutes(scope, {
        model,
        history: dependencies.history.history,
        settings,
        assets: () => branded.assets(),
        clock,
        maintenance: dependencies.maintenance,
      });
    if (dependencies.cluster) {
      clusterRoutes(scope, {
        cluster: dependencies.cluster,
        managerToken: settings.server.manager_token,
        throttle: authThrottle,
      });
    }
    const incidentLog = dependencies.incidents;
    if (incidentLog) {
      incidentPageRoutes(scope, {
        model,
        incidents: incidentLog,
        historySources: [incidentHistory(incidentLog, model), ...(dependencies.historySources ?? [])],
        settings,
        assets: () => branded.assets(),
        clock,
      });
      if (dependencies.manager) {
        managerIncidentRoutes(scope, {
          token: settings.server.manager_token,
          throttle: authThrottle,
          model,
          incidents: incidentLog,
        });
      }
    }
    const sources =
      dependencies.feedSources ??
      feedSources({
        announcements,
        model,
        clock,
        incidents: dependencies.incidents,
        maintenance: dependencies.maintenance,
      });
    feedRoutes(scope, { sources, clock, settings });
    // Its own scope: the form parser and the form-action policy apply to its routes only.
    await scope.register((subscribe) =>
      subscribeRoutes(subscribe, { signup: dependencies.subscriptions?.signup, settings }),
    );
    if (dependencies.manager && dependencies.subscriptions) {
      managerWebhookRoutes(scope, {
        token: settings.server.manager_token,
        throttle: authThrottle,
        webhooks: dependencies.subscriptions.webhooks,
      });
    }
    // Its own scope: the form parser and the console's headers apply to its routes only.
    const { manager } = dependencies;
    if (manager && settings.server.manager_token !== '') {
      await scope.register((admin) =>
        adminRoutes(admin, {
          ...manager,
          token: settings.server.manager_token,
          throttle: authThrottle,
          model,
          incidents: dependencies.incidents,
          deliveries: dependencies.notifications,
          clock,
          settings,
          assets: () => branded.assets(),
        }),
      );
    }
    servicePageRoutes(scope, {
      model,
      settings,
      assets: () => branded.assets(),
      clock,
      history: pageHistory,
      maintenance: dependencies.maintenance,
    });
  });
  return app;
}
