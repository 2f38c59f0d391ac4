import { AUTH_ERRORS, errorResponse } from '../errors.js';
import { maintenanceWindow } from './api-v1-schemas.js';
import { answer, emptyAnswer, health, nextCursor, nullableTime, record, time } from './schema-parts.js';

/**
 * Response schemas of Vigil's manager API and its extensions: Fastify serialises the answers with
 * them and the OpenAPI document is generated from them (web/openapi.ts). Vigil's answers without a
 * body stay without one.
 */

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

export const addAnnouncementResponses = {
  summary: 'Publishes an announcement on the page',
  response: {
    200: answer("The new announcement's id", record({ id: announcementId })),
    400: errorResponse('Invalid body'),
    ...AUTH_ERRORS,
    409: errorResponse('As many announcements as the store holds'),
    413: errorResponse('Body too large'),
  },
} as const;

export const removeAnnouncementSchema = {
  summary: 'Removes an announcement',
  params: {
    type: 'object',
    required: ['announcementId'],
    properties: { announcementId: announcementId },
  },
  response: {
    200: emptyAnswer('Removed'),
    ...AUTH_ERRORS,
    404: errorResponse('Unknown announcement'),
  },
} as const;

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

export const addMaintenanceResponses = {
  summary: 'Schedules a maintenance window over services or nodes',
  response: {
    200: answer("The new window's id", record({ id: maintenanceId })),
    400: errorResponse('Invalid body'),
    ...AUTH_ERRORS,
    409: errorResponse('As many windows as allowed are upcoming or active'),
    413: errorResponse('Body too large'),
  },
} as const;

export const removeMaintenanceSchema = {
  summary: 'Removes a maintenance window',
  params: { type: 'object', required: ['maintenanceId'], properties: { maintenanceId } },
  response: {
    200: emptyAnswer('Removed'),
    ...AUTH_ERRORS,
    404: errorResponse('Unknown maintenance window'),
  },
} as const;

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

export const addWebhookResponses = {
  summary: 'Subscribes a URL to the feed: each new entry is posted to it',
  response: {
    200: answer("The new subscription's id", record({ id: webhookId })),
    400: errorResponse('Invalid body or URL'),
    ...AUTH_ERRORS,
    409: errorResponse('The URL is subscribed already, or there are as many subscriptions as allowed'),
    413: errorResponse('Body too large'),
  },
} as const;

export const removeWebhookSchema = {
  summary: 'Removes a webhook subscription',
  params: { type: 'object', required: ['webhookId'], properties: { webhookId } },
  response: { 200: emptyAnswer('Removed'), ...AUTH_ERRORS, 404: errorResponse('Unknown webhook') },
} as const;
