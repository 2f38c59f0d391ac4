import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import type { ReporterRequestCounter } from '../../metrics/reporter-requests.js';
import { HEALTH_STATES } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import type { ObservationSink } from '../../model/observation.js';
import type { Clock } from '../../time/clock.js';
import { requireToken, tokenVerdict } from '../auth.js';
import type { AuthThrottle } from '../auth-throttle.js';
import { AUTH_ERRORS, errorResponse } from '../errors.js';
import { ReporterFastPath } from '../reporter-fast-path.js';
import {
  outcomeAnswer,
  REPORT_INTERVAL_MAX_SECONDS,
  REPORTER_BODY_LIMIT_BYTES,
  type ReportBody,
  type ReporterAnswer,
  type ReportHandler,
  reportHandler,
} from './report-handler.js';
import { emptyAnswer } from './schema-parts.js';

const nodePath = {
  probeId: { type: 'string', description: 'Service id' },
  nodeId: { type: 'string', description: 'Node id' },
} as const;
const nodeParams = { type: 'object', required: ['probeId', 'nodeId'], properties: nodePath } as const;
const replicaParams = {
  type: 'object',
  required: ['probeId', 'nodeId', 'replicaId'],
  properties: { ...nodePath, replicaId: { type: 'string', description: 'Replica id, URL-encoded' } },
} as const;

/** `isPlainReport` (report-handler.ts), the fast path's check, must refuse whatever this refuses. */
const reportBody = {
  type: 'object',
  required: ['replica', 'interval'],
  properties: {
    replica: { type: 'string' },
    interval: { type: 'integer', minimum: 0, maximum: REPORT_INTERVAL_MAX_SECONDS },
    load: {
      type: 'object',
      required: ['cpu', 'ram'],
      properties: { cpu: { type: 'number', minimum: 0 }, ram: { type: 'number', minimum: 0 } },
    },
    health: { type: 'string', enum: HEALTH_STATES },
  },
} as const;

/** What the model's outcomes answer (`answer` below); no body on success, as in Vigil. */
const outcomeResponses = {
  200: emptyAnswer('Done'),
  ...AUTH_ERRORS,
  404: errorResponse('Unknown probe, node or replica'),
  412: errorResponse('The node mode does not accept this request'),
} as const;

const reportSchema = {
  summary: 'A push (load) or local (health) report for a replica, which it creates if new',
  params: nodeParams,
  body: reportBody,
  response: {
    ...outcomeResponses,
    400: errorResponse('Invalid body'),
    409: errorResponse('The node has `[metrics] reported_replicas_max` replicas already'),
    413: errorResponse('Body too large'),
  },
} as const;

const flushSchema = {
  summary: 'Forgets a push or local replica at once',
  params: replicaParams,
  response: outcomeResponses,
} as const;

function answer(reply: FastifyReply, { status, error }: ReporterAnswer) {
  return reply.code(status).send(error === undefined ? undefined : { error });
}

export interface ReporterOptions {
  model: HealthModel;
  /** Where reports and flushes go: the model, unless a cluster shares them with its other members too. */
  observations?: ObservationSink;
  /** Stamps each report and flush with the time it came in. */
  clock: Clock;
  token: string;
  throttle: AuthThrottle;
  /** `[metrics] reported_replicas_max`, read per report (a reload may change it): one more is refused. */
  replicasPerNodeMax: () => number;
}

/** The reporter API's parts, built before the app: its server needs the fast path. */
export interface ReporterEndpoint {
  report: ReportHandler;
  sink: ObservationSink;
  clock: Clock;
  token: string;
  throttle: AuthThrottle;
  fastPath: ReporterFastPath;
}

/** The handler, token check and fast path the reporter's routes and the server share. */
export function reporterEndpoint(
  options: ReporterOptions & {
    logger: FastifyBaseLogger;
    /** Fastify's request ids (`genReqId`). */
    requestId: () => string;
    count?: ReporterRequestCounter;
  },
): ReporterEndpoint {
  const { model, clock, token, throttle } = options;
  const sink = options.observations ?? model;
  const report = reportHandler({ model, sink, clock, replicasPerNodeMax: options.replicasPerNodeMax });
  const fastPath = new ReporterFastPath({
    report,
    verdict: tokenVerdict(token, 'Reporter Token', throttle),
    logger: options.logger,
    requestId: options.requestId,
    count: options.count,
  });
  return { report, sink, clock, token, throttle, fastPath };
}

/**
 * Vigil's reporter API (spec §2.4): push load reports, local health reports, and flushes. Reports the
 * fast path takes never reach these routes; the others, and every flush, do.
 */
export function reporterRoutes(app: FastifyInstance, endpoint: ReporterEndpoint) {
  const { report, sink, clock, fastPath } = endpoint;
  const onRequest = requireToken(endpoint.token, 'Reporter Token', endpoint.throttle);

  app.post<{ Params: { probeId: string; nodeId: string }; Body: ReportBody }>(
    '/reporter/:probeId/:nodeId',
    {
      onRequest,
      // A request the fast path read and handed over: its body, for Fastify to parse and validate.
      preParsing: (request, _reply, payload, done) => done(null, fastPath.replay(request.raw) ?? payload),
      bodyLimit: REPORTER_BODY_LIMIT_BYTES,
      schema: reportSchema,
    },
    (request, reply) => {
      const { probeId, nodeId } = request.params;
      return answer(reply, report(probeId, nodeId, request.body, request.log));
    },
  );

  app.delete<{ Params: { probeId: string; nodeId: string; replicaId: string } }>(
    '/reporter/:probeId/:nodeId/:replicaId',
    { onRequest, schema: flushSchema },
    (request, reply) => {
      const { probeId, nodeId, replicaId } = request.params;
      const subject = { serviceId: probeId, nodeId, replicaId };
      return answer(reply, outcomeAnswer(sink.apply({ kind: 'flush', subject, atMs: clock.now() })));
    },
  );
}
