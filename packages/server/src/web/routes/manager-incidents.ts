import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { IncidentLimitError, type IncidentLog } from '../../incidents/log.js';
import {
  INCIDENT_STATUSES,
  type IncidentStatus,
  type IncidentStory,
  type NodeRef,
} from '../../incidents/types.js';
import { clipForLog } from '../../log/clip.js';
import type { HealthModel } from '../../model/health-model.js';
import { requireToken } from '../auth.js';
import type { AuthThrottle } from '../auth-throttle.js';
import { INCIDENT_ID_PATTERN, TEXT_RULE, TITLE_RULE, textProblem } from '../validation/fields.js';
import { nodeReference, unknownTargetProblem } from '../validation/targets.js';
import { MANAGER_REALM } from './manager.js';
import {
  declareIncidentResponses,
  incidentSchema,
  listIncidentsResponses,
  updateIncidentSchema,
} from './manager-incident-schemas.js';
import { badRequest, cursor, decodeCursor, encodeCursor, isStartCursor, limitOf } from './pagination.js';

export interface ManagerIncidentOptions {
  token: string;
  throttle: AuthThrottle;
  model: HealthModel;
  incidents: IncidentLog;
}

/** Affected services and nodes named per incident at most. */
export const AFFECTED_MAX = 100;
/** A title, a 16 KB message and 200 ids with room to spare. */
const INCIDENT_BODY_LIMIT_BYTES = 256 * 1024;
const LIST_LIMITS = { default: 20, max: 100 } as const;

const status = { type: 'string', enum: INCIDENT_STATUSES } as const;
const text = { type: 'string' } as const;

const newIncidentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'message'],
  properties: {
    title: text,
    status,
    message: text,
    services: { type: 'array', maxItems: AFFECTED_MAX, items: text },
    nodes: { type: 'array', maxItems: AFFECTED_MAX, items: text },
  },
} as const;

interface NewIncidentBody {
  title: string;
  status?: IncidentStatus;
  message: string;
  services?: string[];
  /** `service:node`, as maintenance windows name them. */
  nodes?: string[];
}

const updateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'message'],
  properties: { status, message: text },
} as const;

interface UpdateBody {
  status: IncidentStatus;
  message: string;
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,3}$' }, cursor },
} as const;

/**
 * Manager API extension: incidents with a timeline of updates. Operators declare incidents and
 * post updates to them, or to the incidents Vigil TS opened by itself (their ids are in the list
 * and in `/api/v1/incidents`). Same token, realm and error shape as Vigil's manager routes.
 */
export function managerIncidentRoutes(app: FastifyInstance, options: ManagerIncidentOptions) {
  const { model, incidents } = options;
  const onRequest = requireToken(options.token, MANAGER_REALM, options.throttle);
  const bodyRoute = { onRequest, bodyLimit: INCIDENT_BODY_LIMIT_BYTES, schemaErrorFormatter: namingTheField };

  app.get<{ Querystring: { limit?: string; cursor?: string } }>(
    '/manager/incidents',
    { onRequest, schema: { querystring: listQuery, ...listIncidentsResponses } },
    async (request, reply) => {
      const limit = limitOf(request.query.limit, LIST_LIMITS.default, LIST_LIMITS.max);
      if (limit instanceof Error) return badRequest(reply, limit);
      const before = decodeCursor(request.query.cursor, isStartCursor);
      if (before instanceof Error) return badRequest(reply, before);
      // One more than asked tells whether there is a next page.
      const found = await incidents.list({ limit: limit + 1, before });
      const page = found.slice(0, limit);
      const last = page.at(-1);
      return {
        incidents: page.map(incidentView),
        next_cursor:
          found.length > limit && last ? encodeCursor({ startedAtMs: last.startedAtMs, id: last.id }) : null,
      };
    },
  );

  app.get<{ Params: { incidentId: string } }>(
    '/manager/incident/:incidentId',
    { onRequest, schema: incidentSchema },
    async (request, reply) => {
      const { incidentId } = request.params;
      const story = INCIDENT_ID_PATTERN.test(incidentId) ? await incidents.get(incidentId) : undefined;
      if (!story) return reply.code(404).send({ error: 'unknown incident' });
      return incidentView(story);
    },
  );

  app.post<{ Body: NewIncidentBody }>(
    '/manager/incident',
    { ...bodyRoute, schema: { body: newIncidentBody, ...declareIncidentResponses } },
    async (request, reply) => {
      const { title, message } = request.body;
      const problem =
        textProblem('body/title', title, TITLE_RULE) ?? textProblem('body/message', message, TEXT_RULE);
      if (problem !== undefined) return reply.code(400).send({ error: problem });
      const affected = affectedOf(model, request.body);
      if (typeof affected === 'string') return reply.code(400).send({ error: affected });
      try {
        const incident = await incidents.declare({
          title,
          message,
          status: request.body.status ?? 'investigating',
          ...affected,
        });
        return { id: incident.id };
      } catch (error) {
        if (error instanceof IncidentLimitError) return reply.code(409).send({ error: error.message });
        throw error;
      }
    },
  );

  app.post<{ Params: { incidentId: string }; Body: UpdateBody }>(
    '/manager/incident/:incidentId/update',
    { ...bodyRoute, schema: { body: updateBody, ...updateIncidentSchema } },
    async (request, reply) => {
      const { status: updateStatus, message } = request.body;
      const problem = textProblem('body/message', message, TEXT_RULE);
      if (problem !== undefined) return reply.code(400).send({ error: problem });
      const { incidentId } = request.params;
      try {
        const update = INCIDENT_ID_PATTERN.test(incidentId)
          ? await incidents.update(incidentId, { status: updateStatus, message })
          : undefined;
        if (!update) return reply.code(404).send({ error: 'unknown incident' });
        return { id: update.id };
      } catch (error) {
        if (error instanceof IncidentLimitError) return reply.code(409).send({ error: error.message });
        throw error;
      }
    },
  );
}

/** Ajv's first problem, with the path of the field; an unknown field is named (clipped). */
function namingTheField(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const [first] = errors;
  if (!first) return new Error(`${dataVar} is invalid`);
  const path = `${dataVar}${first.instancePath}`;
  const unknown = first.params.additionalProperty;
  if (first.keyword === 'additionalProperties' && typeof unknown === 'string') {
    return new Error(`${path} has an unknown field: ${JSON.stringify(clipForLog(unknown, 64))}`);
  }
  if (first.keyword === 'enum' && first.instancePath.endsWith('/status')) {
    return new Error(`${path} must be one of ${INCIDENT_STATUSES.join(', ')}`);
  }
  return new Error(`${path} ${first.message ?? 'is invalid'}`);
}

/** The configured services and nodes a body names, without repeats; or why the first unknown one is refused. */
export function affectedOf(
  model: Pick<HealthModel, 'services' | 'node'>,
  body: Pick<NewIncidentBody, 'services' | 'nodes'>,
): { services: string[]; nodes: NodeRef[] } | string {
  const services = [...new Set(body.services ?? [])];
  const references = [...new Set(body.nodes ?? [])];
  const problem = unknownTargetProblem(model, body.services ?? [], body.nodes ?? []);
  if (problem !== undefined) return problem;
  return { services, nodes: references.flatMap((reference) => nodeReference(reference) ?? []) };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** One incident with its timeline, snake_case like the rest of the manager API. */
export function incidentView(story: IncidentStory) {
  const { detected } = story;
  return {
    id: story.id,
    origin: story.origin,
    title: story.title ?? null,
    status: story.status ?? null,
    active: story.endedAtMs === undefined,
    started_at: iso(story.startedAtMs),
    ended_at: iso(story.endedAtMs),
    services: story.services,
    nodes: story.nodes.map(({ serviceId, nodeId }) => `${serviceId}:${nodeId}`),
    detected: detected ? { scope: detected.scope, worst: detected.worst, replicas: detected.replicas } : null,
    updates: story.updates.map((update) => ({
      id: update.id,
      at: iso(update.atMs),
      status: update.status,
      message: update.message,
    })),
  };
}
