import type { FastifyInstance } from 'fastify';
import type { NewAnnouncement } from '../../announcements/memory.js';
import {
  type Announcement,
  type AnnouncementSource,
  AnnouncementsFullError,
} from '../../announcements/types.js';
import type { NewMaintenanceWindow } from '../../maintenance/schedule.js';
import {
  MaintenanceFullError,
  type MaintenanceView,
  type MaintenanceWindow,
} from '../../maintenance/types.js';
import type { Health } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Delivery, DeliveryCursor, DeliveryQuery } from '../../notify/outbox.js';
import { isChannelName } from '../../notify/registry.js';
import { channelOfTarget } from '../../notify/targets.js';
import type { Clock } from '../../time/clock.js';
import { requireToken } from '../auth.js';
import type { AuthThrottle } from '../auth-throttle.js';
import {
  ANNOUNCEMENT_SEVERITIES,
  type AnnouncementBody,
  announcementFromBody,
  LONGEST_EXPIRY_SECONDS,
} from '../validation/announcement.js';
import { type MaintenanceBody, maintenanceBody, maintenanceFromBody } from '../validation/maintenance.js';
import { maintenanceView } from './api-v1-views.js';
import {
  addAnnouncementResponses,
  addMaintenanceResponses,
  alertsResponses,
  deliveriesResponses,
  editAnnouncementSchema,
  editMaintenanceSchema,
  ignoredResponses,
  listAnnouncementsResponses,
  listMaintenanceResponses,
  removeAnnouncementSchema,
  removeMaintenanceSchema,
  setIgnoredResponses,
} from './manager-schemas.js';
import { badRequest, cursor, decodeCursor, encodeCursor, limitOf } from './pagination.js';

/** Announcements the manager API can change: the durable store, or the in-memory one. */
export interface AnnouncementManager extends AnnouncementSource {
  add(fields: NewAnnouncement): Announcement | Promise<Announcement>;
  /** Undefined when no current announcement has this id. */
  update(id: string, fields: NewAnnouncement): Announcement | undefined | Promise<Announcement | undefined>;
  remove(id: string): boolean | Promise<boolean>;
}

/** Maintenance windows the manager API can change: the durable schedule. */
export interface MaintenanceManager extends MaintenanceView {
  add(fields: NewMaintenanceWindow): Promise<MaintenanceWindow>;
  update(id: string, fields: NewMaintenanceWindow): Promise<MaintenanceWindow | undefined>;
  remove(id: string): Promise<boolean>;
}

export interface IgnoreWindowControl {
  remainingSeconds(): number | null;
  set(seconds: number | null): Promise<void>;
}

/** Where the deliveries come from: the dispatcher, or nothing when `[notify]` is absent. */
export interface DeliveryLog {
  listDeliveries(query: DeliveryQuery): Promise<Delivery[]>;
}

export interface ManagerOptions {
  token: string;
  throttle: AuthThrottle;
  model: HealthModel;
  announcements: AnnouncementManager;
  ignoreWindow: IgnoreWindowControl;
  clock: Clock;
  deliveries?: DeliveryLog;
  /** Without it, no maintenance routes. */
  maintenance?: MaintenanceManager;
}

/** Vigil's auth errors carry this realm on every route, manager ones included (spec §12 #18). */
export const MANAGER_REALM = 'Reporter Token';

/** Announcement bodies are a title and a text; this leaves room for long texts. */
export const MANAGER_BODY_LIMIT_BYTES = 256 * 1024;

const announcementBody = {
  type: 'object',
  required: ['title', 'text'],
  properties: {
    title: { type: 'string', minLength: 1 },
    text: { type: 'string', minLength: 1 },
    severity: { type: 'string', enum: ANNOUNCEMENT_SEVERITIES },
    expires_at: { type: 'string', minLength: 1 },
    expires_in_seconds: { type: 'integer', minimum: 1, maximum: LONGEST_EXPIRY_SECONDS },
  },
} as const;

const ignoredBody = {
  type: 'object',
  properties: { reminders_seconds: { type: ['integer', 'null'], minimum: 0, maximum: 65_535 } },
} as const;

const DELIVERY_LIMITS = { default: 50, max: 200 } as const;

const deliveriesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' }, cursor },
} as const;

/**
 * Vigil's manager API (spec §2.5): announcements and the reminder-ignore window, now durable, plus
 * the current sick and dead replicas. Extensions: fields on new announcements (docs/storage.md)
 * and the notification deliveries (docs/alerting.md).
 */
export function managerRoutes(app: FastifyInstance, options: ManagerOptions) {
  const { model, announcements, ignoreWindow, clock } = options;
  const onRequest = requireToken(options.token, MANAGER_REALM, options.throttle);

  app.get('/manager/announcements', { onRequest, schema: listAnnouncementsResponses }, async () =>
    announcements.list().map(({ id, title }) => ({ id, title })),
  );

  app.post<{ Body: AnnouncementBody }>(
    '/manager/announcement',
    {
      onRequest,
      bodyLimit: MANAGER_BODY_LIMIT_BYTES,
      schema: { body: announcementBody, ...addAnnouncementResponses },
    },
    async (request, reply) => {
      const parsed = announcementFromBody(request.body, clock.now());
      if ('error' in parsed) return reply.code(400).send({ error: parsed.error });
      try {
        const announcement = await announcements.add(parsed.fields);
        return { id: announcement.id };
      } catch (error) {
        if (error instanceof AnnouncementsFullError) return reply.code(409).send({ error: error.message });
        throw error;
      }
    },
  );

  // Extension: an announcement's fields replaced in place (same id, same publication time).
  app.put<{ Params: { announcementId: string }; Body: AnnouncementBody }>(
    '/manager/announcement/:announcementId',
    {
      onRequest,
      bodyLimit: MANAGER_BODY_LIMIT_BYTES,
      schema: { body: announcementBody, ...editAnnouncementSchema },
    },
    async (request, reply) => {
      const parsed = announcementFromBody(request.body, clock.now());
      if ('error' in parsed) return reply.code(400).send({ error: parsed.error });
      const announcement = await announcements.update(request.params.announcementId, parsed.fields);
      if (announcement === undefined) return reply.code(404).send({ error: 'unknown announcement' });
      return { id: announcement.id };
    },
  );

  app.delete<{ Params: { announcementId: string } }>(
    '/manager/announcement/:announcementId',
    { onRequest, schema: removeAnnouncementSchema },
    async (request, reply) => {
      if (!(await announcements.remove(request.params.announcementId))) {
        return reply.code(404).send({ error: 'unknown announcement' });
      }
      return reply.code(200).send();
    },
  );

  if (options.maintenance)
    maintenanceRoutes(app, { ...options, maintenance: options.maintenance }, onRequest);

  app.get('/manager/prober/alerts', { onRequest, schema: alertsResponses }, async () => ({
    dead: replicasWith(model, 'dead'),
    sick: replicasWith(model, 'sick'),
  }));

  app.get('/manager/prober/alerts/ignored', { onRequest, schema: ignoredResponses }, async () => ({
    reminders_seconds: ignoreWindow.remainingSeconds(),
  }));

  app.put<{ Body: { reminders_seconds?: number | null } }>(
    '/manager/prober/alerts/ignored',
    { onRequest, schema: { body: ignoredBody, ...setIgnoredResponses } },
    async (request, reply) => {
      await ignoreWindow.set(request.body.reminders_seconds ?? null);
      return reply.code(200).send();
    },
  );

  app.get<{ Querystring: { limit?: string; cursor?: string } }>(
    '/manager/notifications',
    { onRequest, schema: { querystring: deliveriesQuery, ...deliveriesResponses } },
    async (request, reply) => {
      const limit = limitOf(request.query.limit, DELIVERY_LIMITS.default, DELIVERY_LIMITS.max);
      if (limit instanceof Error) return badRequest(reply, limit);
      const before = decodeCursor(request.query.cursor, isDeliveryCursor);
      if (before instanceof Error) return badRequest(reply, before);
      // One more than asked tells whether there is a next page.
      const found = (await options.deliveries?.listDeliveries({ limit: limit + 1, before })) ?? [];
      const page = found.slice(0, limit);
      const last = page.at(-1);
      const next: DeliveryCursor | undefined = last && {
        createdAtMs: last.createdAtMs,
        alertId: last.alert.id,
        channel: last.channel,
      };
      return {
        deliveries: page.map(deliveryView),
        next_cursor: found.length > limit && next ? encodeCursor(next) : null,
      };
    },
  );
}

/** Extension: maintenance windows (docs/storage.md, docs/alerting.md). */
function maintenanceRoutes(
  app: FastifyInstance,
  options: ManagerOptions & { maintenance: MaintenanceManager },
  onRequest: ReturnType<typeof requireToken>,
) {
  const { maintenance, model, clock } = options;

  app.get('/manager/maintenances', { onRequest, schema: listMaintenanceResponses }, async () => {
    const nowMs = clock.now();
    return [...maintenance.active(), ...maintenance.upcoming()].map((each) => maintenanceView(each, nowMs));
  });

  app.post<{ Body: MaintenanceBody }>(
    '/manager/maintenance',
    {
      onRequest,
      bodyLimit: MANAGER_BODY_LIMIT_BYTES,
      schema: { body: maintenanceBody, ...addMaintenanceResponses },
    },
    async (request, reply) => {
      const fields = maintenanceFromBody(request.body, model, clock.now());
      if ('error' in fields) return reply.code(400).send({ error: fields.error });
      try {
        const window = await maintenance.add(fields);
        return { id: window.id };
      } catch (error) {
        if (error instanceof MaintenanceFullError) return reply.code(409).send({ error: error.message });
        throw error;
      }
    },
  );

  // Extension: a window in progress or upcoming changed in place (same id).
  app.put<{ Params: { maintenanceId: string }; Body: MaintenanceBody }>(
    '/manager/maintenance/:maintenanceId',
    {
      onRequest,
      bodyLimit: MANAGER_BODY_LIMIT_BYTES,
      schema: { body: maintenanceBody, ...editMaintenanceSchema },
    },
    async (request, reply) => {
      const fields = maintenanceFromBody(request.body, model, clock.now());
      if ('error' in fields) return reply.code(400).send({ error: fields.error });
      const window = await maintenance.update(request.params.maintenanceId, fields);
      if (window === undefined) return reply.code(404).send({ error: 'unknown maintenance window' });
      return { id: window.id };
    },
  );

  app.delete<{ Params: { maintenanceId: string } }>(
    '/manager/maintenance/:maintenanceId',
    { onRequest, schema: removeMaintenanceSchema },
    async (request, reply) => {
      if (!(await maintenance.remove(request.params.maintenanceId))) {
        return reply.code(404).send({ error: 'unknown maintenance window' });
      }
      return reply.code(200).send();
    },
  );
}

/** A target id is a channel name, `#` and a short entry name: anything longer is no cursor of ours. */
const MAX_TARGET_ID_LENGTH = 200;

function isDeliveryCursor(value: unknown): value is DeliveryCursor {
  const { createdAtMs, alertId, channel } = (value ?? {}) as Partial<Record<keyof DeliveryCursor, unknown>>;
  return (
    Number.isSafeInteger(createdAtMs) &&
    typeof alertId === 'string' &&
    typeof channel === 'string' &&
    channel.length <= MAX_TARGET_ID_LENGTH &&
    isChannelName(channelOfTarget(channel))
  );
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** One delivery and its attempts, snake_case like the rest of Vigil's manager API. */
function deliveryView(delivery: Delivery) {
  const { alert } = delivery;
  return {
    alert: {
      id: alert.id,
      kind: alert.kind,
      status: alert.status,
      replicas: alert.replicas,
      at: iso(alert.atMs),
    },
    channel: channelOfTarget(delivery.channel),
    // Which of the channel's targets: the channel's name itself for a `[notify.<channel>]` table.
    target: delivery.channel,
    state: delivery.status,
    created_at: iso(delivery.createdAtMs),
    next_attempt_at: iso(delivery.nextAttemptAtMs),
    attempts: delivery.attempts.map((attempt) => ({
      number: attempt.number,
      at: iso(attempt.atMs),
      ok: attempt.error === undefined,
      error: attempt.error ?? null,
    })),
  };
}

/** Replicas in this state, in config and insertion order, as Vigil lists them. */
function replicasWith(model: HealthModel, health: Health) {
  const found: Array<{ probe: string; node: string; replica: string }> = [];
  for (const service of model.services.values()) {
    for (const node of service.nodes.values()) {
      for (const replica of node.replicas.values()) {
        if (replica.health === health)
          found.push({ probe: service.spec.id, node: node.spec.id, replica: replica.id });
      }
    }
  }
  return found;
}
