import { INCIDENT_STATUSES } from '../../incidents/types.js';
import { AUTH_ERRORS, errorResponse } from '../errors.js';
import { answer, nextCursor, nullableTime, record, time } from './schema-parts.js';

/**
 * Response schemas of the manager API's incident routes: Fastify serialises the answers with them
 * and the OpenAPI document is generated from them (web/openapi.ts).
 */

const incidentId = { type: 'string', description: 'The incident id' } as const;
const incidentParams = { type: 'object', required: ['incidentId'], properties: { incidentId } } as const;
const status = { type: 'string', enum: INCIDENT_STATUSES } as const;

const incident = record({
  id: incidentId,
  origin: { type: 'string', enum: ['declared', 'detected'] },
  title: { type: ['string', 'null'], description: 'Null for a detected incident' },
  status: {
    type: ['string', 'null'],
    enum: [...INCIDENT_STATUSES, null],
    description: 'Of the latest update',
  },
  active: { type: 'boolean' },
  started_at: time,
  ended_at: nullableTime,
  services: { type: 'array', items: { type: 'string' } },
  nodes: { type: 'array', items: { type: 'string' }, description: 'As `service:node`.' },
  detected: {
    type: ['object', 'null'],
    description: 'What the tracker recorded, for a detected incident',
    required: ['scope', 'worst', 'replicas'],
    properties: {
      scope: { type: 'string', enum: ['node', 'page'] },
      worst: { type: 'string', enum: ['sick', 'dead'] },
      replicas: { type: 'array', items: { type: 'string' } },
    },
  },
  updates: {
    type: 'array',
    description: 'Oldest first',
    items: record({ id: { type: 'string' }, at: time, status, message: { type: 'string' } }),
  },
});

const bodyErrors = {
  400: errorResponse('Invalid body'),
  ...AUTH_ERRORS,
  409: errorResponse('As many incidents or updates as the store holds'),
  413: errorResponse('Body too large'),
} as const;

export const listIncidentsResponses = {
  summary: 'Incidents, declared and detected, newest first, with their updates',
  response: {
    200: answer(
      'A page of incidents',
      record({ incidents: { type: 'array', items: incident }, next_cursor: nextCursor }),
    ),
    400: errorResponse('Invalid parameters'),
    ...AUTH_ERRORS,
  },
} as const;

export const incidentSchema = {
  summary: 'One incident with its updates',
  params: incidentParams,
  response: { 200: answer('The incident', incident), ...AUTH_ERRORS, 404: errorResponse('Unknown incident') },
} as const;

export const declareIncidentResponses = {
  summary: 'Declares an incident, with its first update',
  response: { 200: answer("The new incident's id", record({ id: incidentId })), ...bodyErrors },
} as const;

export const updateIncidentSchema = {
  summary: 'Posts an update to an incident, declared or detected',
  params: incidentParams,
  response: {
    200: answer("The update's id", record({ id: { type: 'string' } })),
    ...bodyErrors,
    404: errorResponse('Unknown incident'),
  },
} as const;
