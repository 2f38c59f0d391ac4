import { AUTH_ERRORS, errorResponse } from '../errors.js';
import { maintenanceWindow } from './api-v1-schemas.js';
import { answer, emptyAnswer, health, nextCursor, nullableTime, record, time } from './schema-parts.js';

/**
 * Response schemas of Vigil's manager API and its extensions: Fastify serialises the answers with
 * them and the OpenAPI document is generated from them (web/openapi.ts). Vigil's answers without a
 * body stay without one.
 */

/** `POST` of a new item: its id, or why there is none. */
const creation = (summary: string, id: object, conflict: string) =>
  ({
    summary,
    response: {
      200: answer("The new item's id", record({ id })),
      400: errorResponse('Invalid body'),
      ...AUTH_ERRORS,
      409: errorResponse(conflict),
      413: errorResponse('Body too large'),
    },
  }) as const;

/** `DELETE` of an item by its id in the path; an empty 200 as in Vigil. */
const removal = (summary: string, param: string, id: object, unknown: string) =>
  ({
    summary,
    params: { type: 'object', required: [param], properties: { [param]: id } },
    response: { 200: emptyAnswer('Removed'), ...AUTH_ERRORS, 404: errorResponse(unknown) },
  }) as const;

const announcementId = { type: 'string', description: 'The id `POST /manager/announcement` gave' } as const;
const replicaPath = record({
  probe: { type: 'string', description: 'Service id' },
  node: { type: 'string' },
  replica: { type: 'string' },
});

export const listAnnouncementsResponses = {
  summary: 'Current announcements, oldest first (Vigil lists only id and title)',
  response: {
    200: answer('id and title of each announcement', {
      type: 'array',
      items: record({ id: announcementId, title: { type: 'string' } }),
    }),
    ...AUTH_ERRORS,
  },
} as const;

export const addAnnouncementResponses = creation(
  'Publishes an announcement on the page',
  announcementId,
  'As many announcements as the store holds',
);

export const editAnnouncementSchema = {
  summary: 'Replaces the fields of an announcement',
  params: { type: 'object', required: ['announcementId'], properties: { announcementId } },
  response: {
    200: answer("The announcement's id", record({ id: announcementId })),
    400: errorResponse('Invalid body'),
    ...AUTH_ERRORS,
    404: errorResponse('Unknown announcement'),
    413: errorResponse('Body too large'),
  },
} as const;

export const removeAnnouncementSchema = removal(
  'Removes an announcement',
  'announcementId',
  announcementId,
  'Unknown announcement',
);

export const alertsResponses = {
  summary: 'Replicas dead and sick now, in config order',
  response: {
    200: answer(
      'Dead and sick replicas',
      record({ dead: { type: 'array', items: replicaPath }, sick: { type: 'array', items: replicaPath } }),
    ),
    ...AUTH_ERRORS,
  },
} as const;

const remindersSeconds = {
  type: ['integer', 'null'],
  description: 'Seconds left during which reminders are not sent; null when they are',
} as const;

export const ignoredResponses = {
  summary: 'How long reminders stay ignored',
  response: {
    200: answer('The ignore window', record({ reminders_seconds: remindersSeconds })),
    ...AUTH_ERRORS,
  },
} as const;

export const setIgnoredResponses = {
  summary: 'Ignores reminders for a time (null or absent: stop ignoring)',
  response: { 200: emptyAnswer('Set'), 400: errorResponse('Invalid body'), ...AUTH_ERRORS },
} as const;

const delivery = record({
  alert: record({
    id: { type: 'string' },
    kind: { type: 'string', enum: ['startup', 'changed', 'reminder'] },
    status: health,
    replicas: { type: 'array', items: { type: 'string' } },
    at: nullableTime,
  }),
  channel: { type: 'string' },
  target: { type: 'string', description: 'The channel, or `channel#name` for an entry of an array.' },
  state: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
  created_at: nullableTime,
  next_attempt_at: nullableTime,
  attempts: {
    type: 'array',
    items: record({
      number: { type: 'integer' },
      at: nullableTime,
      ok: { type: 'boolean' },
      error: { type: ['string', 'null'] },
    }),
  },
});

export const deliveriesResponses = {
  summary: 'Notification deliveries and their attempts, newest first',
  response: {
    200: answer(
      'A page of deliveries',
      record({
        deliveries: { type: 'array', items: delivery },
        next_cursor: nextCursor,
      }),
    ),
    400: errorResponse('Invalid parameters'),
    ...AUTH_ERRORS,
  },
} as const;

const maintenanceId = { type: 'string', description: 'The id `POST /manager/maintenance` gave' } as const;

export const listMaintenanceResponses = {
  summary: 'Maintenance windows in progress and upcoming',
  response: {
    200: answer('The windows, in progress first', { type: 'array', items: maintenanceWindow }),
    ...AUTH_ERRORS,
  },
} as const;

export const addMaintenanceResponses = creation(
  'Schedules a maintenance window over services or nodes',
  maintenanceId,
  'As many windows as allowed are upcoming or active',
);

export const editMaintenanceSchema = {
  summary: 'Replaces the fields of a maintenance window in progress or upcoming',
  params: { type: 'object', required: ['maintenanceId'], properties: { maintenanceId } },
  response: {
    200: answer("The window's id", record({ id: maintenanceId })),
    400: errorResponse('Invalid body'),
    ...AUTH_ERRORS,
    404: errorResponse('Unknown or ended maintenance window'),
    413: errorResponse('Body too large'),
  },
} as const;

export const removeMaintenanceSchema = removal(
  'Removes a maintenance window',
  'maintenanceId',
  maintenanceId,
  'Unknown maintenance window',
);

const webhookId = {
  type: 'string',
  description: 'The id `POST /manager/subscriptions/webhook` gave',
} as const;

export const listWebhooksResponses = {
  summary: 'Webhook subscriptions to the feed',
  response: {
    200: answer(
      'The subscriptions',
      record({
        webhooks: {
          type: 'array',
          items: record({ id: webhookId, url: { type: 'string' }, created_at: time }),
        },
      }),
    ),
    ...AUTH_ERRORS,
  },
} as const;

export const addWebhookResponses = creation(
  'Subscribes a URL to the feed: each new entry is posted to it',
  webhookId,
  'The URL is subscribed already, or there are as many subscriptions as allowed',
);

export const removeWebhookSchema = removal(
  'Removes a webhook subscription',
  'webhookId',
  webhookId,
  'Unknown webhook',
);
