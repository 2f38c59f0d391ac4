import type { FastifyInstance } from 'fastify';
import type { AnnouncementSource } from '../../announcements/types.js';
import type { HistoryReader, UptimeWindow } from '../../history/reader.js';
import { BUCKET_MS } from '../../history/rollup/buckets.js';
import { seriesKey } from '../../history/rollup/model-series.js';
import type { MaintenanceView } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import type { IncidentRepository, Resolution, SeriesKey } from '../../store/types.js';
import type { Clock } from '../../time/clock.js';
import {
  API_LIMITS,
  announcementsSchema,
  gapsSchema,
  incidentsSchema,
  latencySchema,
  maintenanceSchema,
  statusSchema,
  uptimeSchema,
} from './api-v1-schemas.js';
import {
  announcementView,
  incidentView,
  maintenanceView,
  pointView,
  statusView,
  uptimeView,
} from './api-v1-views.js';
import { badRequest, decodeCursor, encodeCursor, limitOf } from './pagination.js';

export interface ApiV1Options {
  model: HealthModel;
  history: HistoryReader;
  incidents: Pick<IncidentRepository, 'list'>;
  announcements: AnnouncementSource;
  clock: Clock;
  /** Maintenance windows: nodes under one say so, and `/api/v1/maintenance` lists them. */
  maintenance?: MaintenanceView;
}

/**
 * The public read API (schemas in api-v1-schemas.ts, documented in `GET /api/v1/openapi.json`):
 * current status with ids, maintenance windows, uptime, latency series, incidents, gaps and
 * announcements. Every list is bounded and paginated.
 */
export function apiV1Routes(app: FastifyInstance, options: ApiV1Options) {
  const { model, history, incidents, announcements, clock, maintenance } = options;

  app.get('/api/v1/status', { schema: statusSchema }, async () => statusView(model, maintenance));

  app.get('/api/v1/maintenance', { schema: maintenanceSchema }, async () => {
    const nowMs = clock.now();
    return {
      active: (maintenance?.active() ?? []).map((each) => maintenanceView(each, nowMs)),
      upcoming: (maintenance?.upcoming() ?? []).map((each) => maintenanceView(each, nowMs)),
    };
  });

  app.get('/api/v1/announcements', { schema: announcementsSchema }, async () => ({
    items: announcements.list().map(announcementView),
  }));

  app.get<{
    Querystring: {
      window?: UptimeWindow;
      kind?: 'node' | 'service';
      service?: string;
      limit?: string;
      cursor?: string;
    };
  }>('/api/v1/uptime', { schema: uptimeSchema }, async (request, reply) => {
    const { window = '24h', kind = 'node', service } = request.query;
    const limit = limitOf(request.query.limit, API_LIMITS.uptimeItems.default, API_LIMITS.uptimeItems.max);
    const offset = decodeCursor(request.query.cursor, isOffset);
    if (limit instanceof Error) return badRequest(reply, limit);
    if (offset instanceof Error) return badRequest(reply, offset);
    const subjects = subjectsOf(model, kind, service);
    if (subjects === undefined) return reply.code(404).send({ error: 'unknown service' });
    const start = offset ?? 0;
    const page = subjects.slice(start, start + limit);
    const figures = await history.uptime(page, window);
    return {
      window,
      items: figures.map(({ key, ...uptime }) => ({
        service: key.serviceId,
        ...(kind === 'node' && { node: key.nodeId }),
        ...uptimeView(uptime),
      })),
      next_cursor: start + limit < subjects.length ? encodeCursor(start + limit) : null,
    };
  });

  app.get<{
    Querystring: {
      service: string;
      node?: string;
      replica?: string;
      resolution?: Resolution;
      from?: string;
      to?: string;
    };
  }>('/api/v1/latency', { schema: latencySchema }, async (request, reply) => {
    const { service, node, replica, resolution = 'hour' } = request.query;
    const key = seriesOf(model, service, node, replica);
    if (key instanceof Error) return reply.code(404).send({ error: key.message });
    const toMs = request.query.to === undefined ? clock.now() : Date.parse(request.query.to);
    const fromMs = request.query.from === undefined ? toMs - 24 * 3_600_000 : Date.parse(request.query.from);
    if (!(fromMs < toMs)) return badRequest(reply, new Error('from must be before to'));
    if ((toMs - fromMs) / BUCKET_MS[resolution] > API_LIMITS.points) {
      return badRequest(
        reply,
        new Error(`at most ${API_LIMITS.points} points: narrow the range or use a coarser resolution`),
      );
    }
    const rows = await history.series(key, resolution, fromMs, toMs);
    return {
      series: { kind: key.kind, service, node: node ?? null, replica: replica ?? null },
      resolution,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      points: rows.map(pointView),
    };
  });

  app.get<{
    Querystring: {
      state?: 'open' | 'closed';
      scope?: 'node' | 'page';
      service?: string;
      node?: string;
      limit?: string;
      cursor?: string;
    };
  }>('/api/v1/incidents', { schema: incidentsSchema }, async (request, reply) => {
    const { state, scope, service, node } = request.query;
    const limit = limitOf(request.query.limit, API_LIMITS.incidents.default, API_LIMITS.incidents.max);
    const before = decodeCursor(request.query.cursor, isIncidentCursor);
    if (limit instanceof Error) return badRequest(reply, limit);
    if (before instanceof Error) return badRequest(reply, before);
    // One more than asked tells whether there is a next page.
    const found = await incidents.list({
      limit: limit + 1,
      ...(state && { state }),
      ...(scope && { scope }),
      ...(service && { serviceId: service }),
      ...(node && { nodeId: node }),
      ...(before && { before: { startedAtMs: before[0], id: before[1] } }),
    });
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((incident) => incidentView(model, incident)),
      next_cursor: found.length > limit && last ? encodeCursor([last.startedAtMs, last.id]) : null,
    };
  });

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/v1/gaps',
    { schema: gapsSchema },
    async (request, reply) => {
      const toMs = request.query.to === undefined ? clock.now() : Date.parse(request.query.to);
      const fromMs =
        request.query.from === undefined ? toMs - 90 * 86_400_000 : Date.parse(request.query.from);
      if (!(fromMs < toMs)) return badRequest(reply, new Error('from must be before to'));
      if (toMs - fromMs > API_LIMITS.gapRangeDays * 86_400_000) {
        return badRequest(reply, new Error(`the range may span at most ${API_LIMITS.gapRangeDays} days`));
      }
      const gaps = await history.gaps(fromMs, toMs);
      return {
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        gaps: gaps.map((gap) => ({
          from: new Date(gap.fromMs).toISOString(),
          to: new Date(gap.toMs).toISOString(),
        })),
      };
    },
  );
}

function isOffset(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isIncidentCursor(value: unknown): value is [number, string] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    Number.isSafeInteger(value[0]) &&
    typeof value[1] === 'string'
  );
}

/** Nodes or services in config order, optionally of one service; undefined for an unknown service. */
function subjectsOf(
  model: HealthModel,
  kind: 'node' | 'service',
  serviceId?: string,
): SeriesKey[] | undefined {
  const services = [...model.services.values()].filter(
    (service) => serviceId === undefined || service.spec.id === serviceId,
  );
  if (serviceId !== undefined && services.length === 0) return undefined;
  if (kind === 'service') return services.map((service) => seriesKey('service', service.spec.id));
  return services.flatMap((service) =>
    [...service.nodes.keys()].map((nodeId) => seriesKey('node', service.spec.id, nodeId)),
  );
}

/** The series a latency query names: a service, a node, or a replica of a node that reveals names. */
function seriesOf(
  model: HealthModel,
  serviceId: string,
  nodeId?: string,
  replicaId?: string,
): SeriesKey | Error {
  if (!model.services.has(serviceId)) return new Error('unknown service');
  if (nodeId === undefined) {
    return replicaId === undefined ? seriesKey('service', serviceId) : new Error('a replica needs its node');
  }
  const node = model.node(serviceId, nodeId);
  if (!node) return new Error('unknown node');
  if (replicaId === undefined) return seriesKey('node', serviceId, nodeId);
  // Hidden replica names stay hidden: asking by name must not confirm one exists.
  if (!node.spec.revealReplicaName) return new Error('unknown replica');
  return seriesKey('replica', serviceId, nodeId, replicaId);
}
