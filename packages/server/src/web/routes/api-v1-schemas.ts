import { UPTIME_WINDOWS } from '../../history/reader.js';
import { MAINTENANCE_WINDOWS_MAX } from '../../maintenance/types.js';
import { RESOLUTIONS } from '../../store/types.js';
import { errorResponse } from '../errors.js';
import { cursor } from './pagination.js';
import { answer, health, nextCursor, nullableNumber, nullableTime, record, time } from './schema-parts.js';

/**
 * The schemas of the `/api/v1` routes: Fastify validates requests and serialises answers with them,
 * and the OpenAPI document is generated from them (web/openapi.ts).
 */

/** Bounds that keep every answer small: pages of items (default, most), and points per series. */
export const API_LIMITS = {
  uptimeItems: { default: 100, max: 1000 },
  incidents: { default: 20, max: 100 },
  points: 1440,
  gapRangeDays: 800,
} as const;

const id = { type: 'string', minLength: 1 } as const;
const pageCursor = { ...cursor, description: '`next_cursor` of the previous page' } as const;
const limit = (items: { default: number; max: number }) =>
  ({
    type: 'string',
    pattern: `^[0-9]{1,${String(items.max).length}}$`,
    description: `Items per page, 1 to ${items.max} (default ${items.default})`,
  }) as const;
const badRequest = errorResponse('Invalid parameters');

const maintenanceSeconds = {
  type: 'integer',
  description: 'Time a node spent under maintenance, apart from the states: not in uptime or healthy.',
} as const;

/** What announcements and maintenance windows both have. */
const titledText = { id: { type: 'string' }, title: { type: 'string' }, text: { type: 'string' } } as const;

/** A maintenance window as the manager API and `/api/v1` show it. */
export const maintenanceWindow = record({
  ...titledText,
  starts_at: time,
  ends_at: time,
  services: { type: 'array', items: { type: 'string' } },
  nodes: { type: 'array', items: { type: 'string' }, description: 'As `service:node`.' },
  state: { type: 'string', enum: ['upcoming', 'active'] },
  created_at: time,
});

const maintenanceList = {
  type: 'array',
  maxItems: MAINTENANCE_WINDOWS_MAX,
  items: maintenanceWindow,
} as const;

const replica = record({
  id: { type: ['string', 'null'], description: 'Null unless the node has `reveal_replica_name`.' },
  status: health,
  since: time,
  latency_ms: nullableNumber,
  reason: { type: ['string', 'null'], description: 'Why it is not healthy; null unless names are revealed.' },
});

const node = record({
  id: { type: 'string' },
  label: { type: 'string' },
  mode: { type: 'string', enum: ['poll', 'push', 'script', 'local'] },
  status: health,
  replicas_total: { type: 'integer' },
  replicas: { type: 'array', maxItems: 100, items: replica, description: 'The first 100.' },
  under_maintenance: {
    type: 'boolean',
    description: 'A maintenance window covers the node now: it alerts and opens no incident.',
  },
});

export const statusSchema = {
  summary: 'Current status of the page, every service, node and replica, with ids',
  response: {
    200: answer(
      "The page's status, its services, nodes and replicas",
      record({
        status: health,
        updated_at: nullableTime,
        services: {
          type: 'array',
          items: record({
            id: { type: 'string' },
            label: { type: 'string' },
            status: health,
            nodes: { type: 'array', items: node },
          }),
        },
      }),
    ),
  },
} as const;

export const announcementsSchema = {
  summary: 'Current announcements, oldest first, with the extension fields',
  response: {
    200: answer(
      'The announcements',
      record({
        items: {
          type: 'array',
          items: record({
            ...titledText,
            published_at: time,
            severity: { type: ['string', 'null'], enum: ['info', 'warning', 'critical', null] },
            expires_at: nullableTime,
          }),
        },
      }),
    ),
  },
} as const;

export const maintenanceSchema = {
  summary: 'Maintenance windows in progress and upcoming, earliest start first',
  response: {
    200: answer(
      'The windows in progress and those to come',
      record({ active: maintenanceList, upcoming: maintenanceList }),
    ),
  },
} as const;

const uptimeFigures = {
  uptime: { ...nullableNumber, description: 'Share of covered time not dead; null without data.' },
  healthy: { ...nullableNumber, description: 'Share of covered time healthy; null without data.' },
  coverage: { type: 'number', description: 'Share of the window with data.' },
  healthy_seconds: { type: 'integer' },
  sick_seconds: { type: 'integer' },
  dead_seconds: { type: 'integer' },
  maintenance_seconds: maintenanceSeconds,
} as const;

export const uptimeSchema = {
  summary: 'Uptime per node or per service over a window ending now',
  description:
    '24h and 7d read hour buckets, 30d and 90d day buckets; the window is that many buckets, ' +
    'the current (open) one included. `uptime` is the share of covered time not dead (sick ' +
    "is degraded, not down); `healthy` the share that was healthy. A node's time under " +
    'maintenance counts in `maintenance_seconds` and `coverage` only.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      window: { type: 'string', enum: Object.keys(UPTIME_WINDOWS), description: 'Window (default 24h)' },
      kind: { type: 'string', enum: ['node', 'service'], description: 'What to list (default node)' },
      service: { ...id, description: 'Only this service (and its nodes)' },
      limit: limit(API_LIMITS.uptimeItems),
      cursor: pageCursor,
    },
  },
  response: {
    200: answer(
      'Uptime per node or per service, in config order',
      record({
        window: { type: 'string' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            required: ['service', ...Object.keys(uptimeFigures)],
            properties: {
              service: { type: 'string' },
              node: { type: 'string', description: 'Absent when kind=service.' },
              ...uptimeFigures,
            },
          },
        },
        next_cursor: nextCursor,
      }),
    ),
    400: badRequest,
    404: errorResponse('Unknown service'),
  },
} as const;

const point = record({
  t: { ...time, description: 'Start of the bucket (UTC).' },
  samples: { type: 'integer', description: 'Observations with a latency in the bucket.' },
  p50_ms: nullableNumber,
  p95_ms: nullableNumber,
  max_ms: nullableNumber,
  healthy_seconds: { type: 'integer' },
  sick_seconds: { type: 'integer' },
  dead_seconds: { type: 'integer' },
  maintenance_seconds: maintenanceSeconds,
});

export const latencySchema = {
  summary: 'Latency and state time per bucket, for a service, a node or a revealed replica',
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['service'],
    properties: {
      service: { ...id, description: 'Service id' },
      node: { ...id, description: 'Node id' },
      replica: { ...id, description: 'Replica id (nodes with reveal_replica_name only)' },
      resolution: { type: 'string', enum: RESOLUTIONS, description: 'Bucket size (default hour)' },
      from: { ...time, description: 'Start (default: 24 h before `to`)' },
      to: { ...time, description: 'End (default: now)' },
    },
  },
  response: {
    200: answer(
      "The series' buckets, oldest first",
      record({
        series: record({
          kind: { type: 'string', enum: ['service', 'node', 'replica'] },
          service: { type: 'string' },
          node: { type: ['string', 'null'] },
          replica: { type: ['string', 'null'] },
        }),
        resolution: { type: 'string', enum: RESOLUTIONS },
        from: time,
        to: time,
        points: { type: 'array', maxItems: API_LIMITS.points, items: point },
      }),
    ),
    400: badRequest,
    404: errorResponse('Unknown service, node or replica'),
  },
} as const;

export const incidentsSchema = {
  summary: 'Incidents (a node or the page not healthy), newest first',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      state: { type: 'string', enum: ['open', 'closed'], description: 'Only open or only closed ones' },
      scope: { type: 'string', enum: ['node', 'page'], description: 'Node incidents or page incidents' },
      service: { ...id, description: 'Service id' },
      node: { ...id, description: 'Node id' },
      limit: limit(API_LIMITS.incidents),
      cursor: pageCursor,
    },
  },
  response: {
    200: answer(
      'A page of incidents',
      record({
        items: {
          type: 'array',
          items: record({
            id: { type: 'string' },
            scope: { type: 'string', enum: ['node', 'page'] },
            service: { type: ['string', 'null'] },
            node: { type: ['string', 'null'] },
            started_at: time,
            ended_at: nullableTime,
            worst: { type: 'string', enum: ['sick', 'dead'] },
            replicas_affected: { type: 'integer' },
            replicas: { type: 'array', items: { type: 'string' }, description: 'Revealed ones only.' },
            reasons: {
              type: 'array',
              description: 'Revealed ones only.',
              items: record({ replica: { type: 'string' }, reason: { type: 'string' }, at: time }),
            },
          }),
        },
        next_cursor: nextCursor,
      }),
    ),
    400: badRequest,
  },
} as const;

const range = record({ from: time, to: time });

export const gapsSchema = {
  summary: 'Periods when Vigil TS was not running (no data)',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { ...time, description: 'Start (default: 90 days before `to`)' },
      to: {
        ...time,
        description: `End (default: now); at most ${API_LIMITS.gapRangeDays} days after \`from\``,
      },
    },
  },
  response: {
    200: answer(
      'The gaps in the range, oldest first',
      record({ from: time, to: time, gaps: { type: 'array', items: range } }),
    ),
    400: badRequest,
  },
} as const;
