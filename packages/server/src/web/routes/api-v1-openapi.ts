import { UPTIME_WINDOWS } from '../../history/reader.js';
import { MAINTENANCE_WINDOWS_MAX } from '../../maintenance/types.js';
import { RESOLUTIONS } from '../../store/types.js';

const health = { type: 'string', enum: ['healthy', 'sick', 'dead'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nextCursor = {
  type: ['string', 'null'],
  description: 'Pass as `cursor` for the next page; null on the last page.',
} as const;
const error = {
  description: 'Invalid parameters',
  content: {
    'application/json': { schema: { type: 'object', properties: { error: { type: 'string' } } } },
  },
} as const;
const query = (name: string, schema: object, description: string, required = false) => ({
  name,
  in: 'query',
  required,
  schema,
  description,
});
const ok = (schema: object) => ({ description: 'OK', content: { 'application/json': { schema } } });

const maintenanceSeconds = {
  type: 'integer',
  description: 'Time a node spent under maintenance, apart from the states: not in uptime or healthy.',
} as const;

/** What announcements and maintenance windows both have. */
const titledText = {
  id: { type: 'string' },
  title: { type: 'string' },
  text: { type: 'string' },
} as const;

const maintenanceList = {
  type: 'array',
  maxItems: MAINTENANCE_WINDOWS_MAX,
  items: {
    type: 'object',
    properties: {
      ...titledText,
      starts_at: time,
      ends_at: time,
      services: { type: 'array', items: { type: 'string' } },
      nodes: { type: 'array', items: { type: 'string' }, description: 'As `service:node`.' },
      state: { type: 'string', enum: ['upcoming', 'active'] },
      created_at: time,
    },
  },
} as const;

const replica = {
  type: 'object',
  properties: {
    id: { type: ['string', 'null'], description: 'Null unless the node has `reveal_replica_name`.' },
    status: health,
    since: time,
    latency_ms: nullableNumber,
    reason: {
      type: ['string', 'null'],
      description: 'Why it is not healthy; null unless names are revealed.',
    },
  },
} as const;

const point = {
  type: 'object',
  properties: {
    t: { ...time, description: 'Start of the bucket (UTC).' },
    samples: { type: 'integer', description: 'Observations with a latency in the bucket.' },
    p50_ms: nullableNumber,
    p95_ms: nullableNumber,
    max_ms: nullableNumber,
    healthy_seconds: { type: 'integer' },
    sick_seconds: { type: 'integer' },
    dead_seconds: { type: 'integer' },
    maintenance_seconds: maintenanceSeconds,
  },
} as const;

/** The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. */
export const API_V1_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Vigil TS public read API',
    version: '1.0.0',
    description:
      'Read-only, unauthenticated. Times are RFC 3339 UTC. Uptime and history come from rollups ' +
      '(minute, hour and day buckets); time when Vigil TS was not running is a gap: it counts ' +
      'neither as up nor as down, and `coverage` says how much of a window has data.',
  },
  paths: {
    '/api/v1/status': {
      get: {
        summary: 'Current status of the page, every service, node and replica, with ids',
        responses: {
          200: ok({
            type: 'object',
            properties: {
              status: health,
              updated_at: nullableTime,
              services: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    label: { type: 'string' },
                    status: health,
                    nodes: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          id: { type: 'string' },
                          label: { type: 'string' },
                          mode: { type: 'string', enum: ['poll', 'push', 'script', 'local'] },
                          status: health,
                          replicas_total: { type: 'integer' },
                          replicas: { type: 'array', maxItems: 100, items: replica },
                          under_maintenance: {
                            type: 'boolean',
                            description:
                              'A maintenance window covers the node now: it alerts and opens no incident.',
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          }),
        },
      },
    },
    '/api/v1/uptime': {
      get: {
        summary: 'Uptime per node or per service over a window ending now',
        description:
          '24h and 7d read hour buckets, 30d and 90d day buckets; the window is that many buckets, ' +
          'the current (open) one included. `uptime` is the share of covered time not dead (sick ' +
          "is degraded, not down); `healthy` the share that was healthy. A node's time under " +
          'maintenance counts in `maintenance_seconds` and `coverage` only.',
        parameters: [
          query('window', { type: 'string', enum: Object.keys(UPTIME_WINDOWS), default: '24h' }, 'Window'),
          query('kind', { type: 'string', enum: ['node', 'service'], default: 'node' }, 'What to list'),
          query('service', { type: 'string' }, 'Only this service (and its nodes)'),
          query('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Items per page'),
          query('cursor', { type: 'string' }, 'From the previous page'),
        ],
        responses: {
          200: ok({
            type: 'object',
            properties: {
              window: { type: 'string' },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    service: { type: 'string' },
                    node: { type: 'string', description: 'Absent when kind=service.' },
                    uptime: nullableNumber,
                    healthy: nullableNumber,
                    coverage: { type: 'number' },
                    healthy_seconds: { type: 'integer' },
                    sick_seconds: { type: 'integer' },
                    dead_seconds: { type: 'integer' },
                    maintenance_seconds: maintenanceSeconds,
                  },
                },
              },
              next_cursor: nextCursor,
            },
          }),
          400: error,
          404: error,
        },
      },
    },
    '/api/v1/latency': {
      get: {
        summary: 'Latency and state time per bucket, for a service, a node or a revealed replica',
        parameters: [
          query('service', { type: 'string' }, 'Service id', true),
          query('node', { type: 'string' }, 'Node id'),
          query('replica', { type: 'string' }, 'Replica id (nodes with reveal_replica_name only)'),
          query('resolution', { type: 'string', enum: RESOLUTIONS, default: 'hour' }, 'Bucket size'),
          query('from', time, 'Start (default: 24 h before `to`)'),
          query('to', time, 'End (default: now)'),
        ],
        responses: {
          200: ok({
            type: 'object',
            properties: {
              series: { type: 'object' },
              resolution: { type: 'string' },
              from: time,
              to: time,
              points: { type: 'array', maxItems: 1440, items: point },
            },
          }),
          400: error,
          404: error,
        },
      },
    },
    '/api/v1/incidents': {
      get: {
        summary: 'Incidents (a node or the page not healthy), newest first',
        parameters: [
          query('state', { type: 'string', enum: ['open', 'closed'] }, 'Only open or only closed ones'),
          query('scope', { type: 'string', enum: ['node', 'page'] }, 'Node incidents or page incidents'),
          query('service', { type: 'string' }, 'Service id'),
          query('node', { type: 'string' }, 'Node id'),
          query('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, 'Items per page'),
          query('cursor', { type: 'string' }, 'From the previous page'),
        ],
        responses: {
          200: ok({
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    scope: { type: 'string', enum: ['node', 'page'] },
                    service: { type: ['string', 'null'] },
                    node: { type: ['string', 'null'] },
                    started_at: time,
                    ended_at: nullableTime,
                    worst: { type: 'string', enum: ['sick', 'dead'] },
                    replicas_affected: { type: 'integer' },
                    replicas: {
                      type: 'array',
                      items: { type: 'string' },
                      description: 'Revealed ones only.',
                    },
                    reasons: { type: 'array', items: { type: 'object' }, description: 'Revealed ones only.' },
                  },
                },
              },
              next_cursor: nextCursor,
            },
          }),
          400: error,
        },
      },
    },
    '/api/v1/gaps': {
      get: {
        summary: 'Periods when Vigil TS was not running (no data)',
        parameters: [
          query('from', time, 'Start (default: 90 days before `to`)'),
          query('to', time, 'End (default: now); at most 800 days after `from`'),
        ],
        responses: {
          200: ok({
            type: 'object',
            properties: {
              from: time,
              to: time,
              gaps: { type: 'array', items: { type: 'object', properties: { from: time, to: time } } },
            },
          }),
          400: error,
        },
      },
    },
    '/api/v1/announcements': {
      get: {
        summary: 'Current announcements, oldest first, with the extension fields',
        responses: {
          200: ok({
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    ...titledText,
                    published_at: time,
                    severity: { type: ['string', 'null'], enum: ['info', 'warning', 'critical', null] },
                    expires_at: nullableTime,
                  },
                },
              },
            },
          }),
        },
      },
    },
    '/api/v1/maintenance': {
      get: {
        summary: 'Maintenance windows in progress and upcoming, earliest start first',
        responses: {
          200: ok({
            type: 'object',
            properties: { active: maintenanceList, upcoming: maintenanceList },
          }),
        },
      },
    },
    '/api/v1/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OK' } } } },
  },
} as const;
