import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HistoryReader, UPTIME_WINDOWS, type UptimeWindow } from '../../history/reader.js';
import { seriesKey } from '../../history/rollup/model-series.js';
import type { Health } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import type { NodeView } from '../../model/views.js';
import type { SeriesKey } from '../../store/types.js';
import { colorBadge, iconBadge, labelledBadge, shieldBadge } from '../badge-svg.js';
import {
  type BadgeValue,
  endpointJson,
  responseTimeValue,
  statusValue,
  uptimeValue,
} from '../badge-values.js';
import { prepare, type Representation, sendRepresentation } from '../representation.js';

const KINDS = {
  color: (_label: string, health: Health) => colorBadge(health),
  icon: (_label: string, health: Health) => iconBadge(health),
  shield: shieldBadge,
} as const;

type Kind = keyof typeof KINDS;
const isKind = (kind: string): kind is Kind => Object.hasOwn(KINDS, kind);

/** Badges whose value is a measure, not a state: drawn labelled, or sent as endpoint JSON. */
const METRICS = ['status', 'uptime', 'response-time'] as const;
type Metric = (typeof METRICS)[number];
const isMetric = (metric: string): metric is Metric => (METRICS as readonly string[]).includes(metric);
const isUptimeWindow = (window: string): window is UptimeWindow => Object.hasOwn(UPTIME_WINDOWS, window);
/** The uptime badges' window when the query names none. */
const DEFAULT_UPTIME_WINDOW: UptimeWindow = '30d';

interface BadgeParams {
  kind: string;
  serviceId?: string;
  nodeId?: string;
}

interface BadgeRequest {
  Params: BadgeParams;
  Querystring: { window?: string };
}

interface Subject {
  /** The page's badges say "status"; a service's or node's, its label. */
  label: string | undefined;
  health: Health;
  key: SeriesKey;
  nodes: () => Iterable<NodeView>;
}

export interface BadgeOptions {
  model: HealthModel;
  /** The store's history, for uptime badges; they are 404 without it. */
  history?: Pick<HistoryReader, 'uptime'>;
}

/**
 * Badges of the page (`/badge/color`, `/badge/icon` as in Vigil, plus `shield`), of a service
 * (`/badge/<kind>/<service>`) and of a node (`/badge/<kind>/<service>/<node>`). Like Vigil, no
 * Last-Modified, so no cache reuses a badge across a status change; an ETag lets them revalidate.
 * Kinds `uptime` (`?window=24h|7d|30d|90d`, 30d by default) and `response-time` (services and
 * nodes) are labelled badges of a measure; `/badge/endpoint/<status|uptime|response-time>/…`
 * says the same as shields.io endpoint JSON.
 */
export function badgeRoutes(app: FastifyInstance, options: BadgeOptions) {
  const { model, history } = options;
  // Few distinct status badges exist (kinds × subjects × 3 states): each is built once.
  const built = new Map<string, Representation>();
  const badge = (kind: Kind, label: string, health: Health) => {
    const key = JSON.stringify([kind, label, health]);
    let representation = built.get(key);
    if (!representation) {
      representation = prepare(KINDS[kind](label, health), { contentType: 'image/svg+xml' });
      built.set(key, representation);
    }
    return representation;
  };

  const subject = ({ serviceId, nodeId }: BadgeParams): Subject | undefined => {
    if (serviceId === undefined)
      return { label: undefined, health: model.pageHealth, key: seriesKey('page'), nodes: () => [] };
    const service = model.services.get(serviceId);
    if (!service) return undefined;
    if (nodeId === undefined)
      return {
        label: service.spec.label,
        health: service.health,
        key: seriesKey('service', serviceId),
        nodes: () => service.nodes.values(),
      };
    const node = service.nodes.get(nodeId);
    return (
      node && {
        label: node.spec.label,
        health: node.health,
        key: seriesKey('node', serviceId, nodeId),
        nodes: () => [node],
      }
    );
  };

  /** The measure, or a reason it has none: 404 (no such badge) or 400 (a bad window). */
  const measure = async (
    metric: Metric,
    found: Subject,
    windowParam: string | undefined,
  ): Promise<BadgeValue | { status: 400 | 404; error: string }> => {
    const named = (what: string) => (found.label === undefined ? what : `${found.label} ${what}`);
    if (metric === 'status') return statusValue(found.label ?? 'status', found.health);
    if (metric === 'response-time') {
      if (found.label === undefined) return { status: 404, error: 'not found' };
      return responseTimeValue(named('response time'), latencies(found.nodes()));
    }
    if (!history) return { status: 404, error: 'not found' };
    const window = windowParam ?? DEFAULT_UPTIME_WINDOW;
    if (!isUptimeWindow(window))
      return { status: 400, error: `window must be one of ${Object.keys(UPTIME_WINDOWS).join(', ')}` };
    const [uptime] = await history.uptime([found.key], window);
    return uptimeValue(named(`uptime ${window}`), uptime);
  };

  const handler = async (request: FastifyRequest<BadgeRequest>, reply: FastifyReply) => {
    const { kind } = request.params;
    const found = subject(request.params);
    if (!found) return reply.callNotFound();
    // Sites that isolate themselves (COEP) may still show our badges.
    reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (isKind(kind))
      return sendRepresentation(
        request,
        reply,
        badge(kind, found.label ?? 'status', found.health),
        'no-cache',
      );
    if (kind !== 'uptime' && kind !== 'response-time') return reply.callNotFound();
    const value = await measure(kind, found, request.query.window);
    if ('error' in value) return reply.code(value.status).send({ error: value.error });
    const svg = labelledBadge(value.label, value.message, value.color);
    return sendRepresentation(request, reply, prepare(svg, { contentType: 'image/svg+xml' }), 'no-cache');
  };

  const endpoint = async (request: FastifyRequest<BadgeRequest>, reply: FastifyReply) => {
    const { kind } = request.params;
    const found = subject(request.params);
    if (!found || !isMetric(kind)) return reply.callNotFound();
    const value = await measure(kind, found, request.query.window);
    if ('error' in value) return reply.code(value.status).send({ error: value.error });
    return reply
      .header('Access-Control-Allow-Origin', '*')
      .header('Cache-Control', 'no-cache')
      .send(endpointJson(value));
  };

  for (const path of ['', '/:serviceId', '/:serviceId/:nodeId']) {
    app.get<BadgeRequest>(`/badge/:kind${path}`, handler);
    app.get<BadgeRequest>(`/badge/endpoint/:kind${path}`, endpoint);
  }
}

/** The latest latency of every replica of these nodes that has one. */
function latencies(nodes: Iterable<NodeView>): number[] {
  const values: number[] = [];
  for (const node of nodes)
    for (const replica of node.replicas.values())
      if (replica.latencyMs !== undefined) values.push(replica.latencyMs);
  return values;
}
