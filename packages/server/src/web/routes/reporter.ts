import type { FastifyInstance, FastifyReply } from 'fastify';
import { HEALTH_STATES } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import type { ApplyOutcome, ObservationSink } from '../../model/observation.js';
import { redactUrl } from '../../probes/redact.js';
import type { Clock } from '../../time/clock.js';
import { requireToken } from '../auth.js';
import type { AuthThrottle } from '../auth-throttle.js';
import { AUTH_ERRORS, errorResponse } from '../errors.js';
import { REPLICA_ID_RULE, textProblem } from '../validation/fields.js';
import { emptyAnswer } from './schema-parts.js';

/** Reporter bodies are ~70 bytes; anything near this bound is not a report. */
export const REPORTER_BODY_LIMIT_BYTES = 64 * 1024;

/** A year, as for the config's intervals: Vigil takes any u64, which PostgreSQL's bigint cannot hold. */
export const REPORT_INTERVAL_MAX_SECONDS = 365 * 24 * 3600;

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

interface ReportBody {
  replica: string;
  interval: number;
  load?: { cpu: number; ram: number };
  health?: (typeof HEALTH_STATES)[number];
}

/** A stale report (the model took a newer one for that replica meanwhile) was received all the same. */
const OUTCOME_STATUS: Record<ApplyOutcome, number> = {
  ok: 200,
  stale: 200,
  'not-found': 404,
  'wrong-mode': 412,
};
const OUTCOME_ERROR: Record<ApplyOutcome, string | undefined> = {
  ok: undefined,
  stale: undefined,
  'not-found': 'unknown probe, node or replica',
  'wrong-mode': 'the node mode does not accept this request',
};

/** The levels at which a debug line is printed. */
const LOGGED_AT_DEBUG = new Set(['debug', 'trace']);

function answer(reply: FastifyReply, outcome: ApplyOutcome) {
  const error = OUTCOME_ERROR[outcome];
  return reply.code(OUTCOME_STATUS[outcome]).send(error === undefined ? undefined : { error });
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

/** Vigil's reporter API (spec §2.4): push load reports, local health reports, and flushes. */
export function reporterRoutes(app: FastifyInstance, options: ReporterOptions) {
  const { model, clock, replicasPerNodeMax } = options;
  const sink = options.observations ?? model;
  const onRequest = requireToken(options.token, 'Reporter Token', options.throttle);

  /** A report of this mode would add a replica to a node that has its fill; poll nodes are left to the model. */
  function isFull(probeId: string, nodeId: string, replica: string, mode: 'push' | 'local'): boolean {
    const node = model.node(probeId, nodeId);
    return (
      node?.spec.mode === mode && !node.replicas.has(replica) && node.replicas.size >= replicasPerNodeMax()
    );
  }

  app.post<{ Params: { probeId: string; nodeId: string }; Body: ReportBody }>(
    '/reporter/:probeId/:nodeId',
    { onRequest, bodyLimit: REPORTER_BODY_LIMIT_BYTES, schema: reportSchema },
    (request, reply) => {
      const { probeId, nodeId } = request.params;
      const { replica, interval, load, health } = request.body;
      const problem = textProblem('body/replica', replica, REPLICA_ID_RULE);
      if (problem !== undefined) return reply.code(400).send({ error: problem });
      // A load report wins over a health report, as in Vigil.
      const mode = load ? 'push' : health ? 'local' : undefined;
      if (mode && isFull(probeId, nodeId, replica, mode)) {
        return reply.code(409).send({
          error: `node ${probeId}/${nodeId} already has ${replicasPerNodeMax()} replicas, the most [metrics] reported_replicas_max allows: flush one or raise the limit`,
        });
      }
      const subject = { serviceId: probeId, nodeId, replicaId: replica };
      const atMs = clock.now();
      let outcome: ApplyOutcome;
      // The model keeps its own copy of the load: only cpu and ram.
      if (load) {
        outcome = sink.apply({ kind: 'push', subject, atMs, intervalSeconds: interval, load });
      } else if (health) {
        outcome = sink.apply({ kind: 'local', subject, atMs, intervalSeconds: interval, health });
      } else return reply.code(400).send({ error: 'a report needs "load" (push) or "health" (local)' });
      // Checked first: the line is built only when it is printed, as reports can come by thousands.
      if (LOGGED_AT_DEBUG.has(request.log.level)) {
        // A reporter may name its replica by a URL with credentials in it (Vigil Local does).
        const path = `${probeId}:${nodeId}:${redactUrl(replica)}`;
        const what = load ? `push, cpu ${load.cpu}, ram ${load.ram}` : `local, ${health}`;
        request.log.debug(`report for ${path} (${what}, every ${interval} s): ${outcome}`);
      }
      return answer(reply, outcome);
    },
  );

  app.delete<{ Params: { probeId: string; nodeId: string; replicaId: string } }>(
    '/reporter/:probeId/:nodeId/:replicaId',
    { onRequest, schema: flushSchema },
    (request, reply) => {
      const { probeId, nodeId, replicaId } = request.params;
      const subject = { serviceId: probeId, nodeId, replicaId };
      return answer(reply, sink.apply({ kind: 'flush', subject, atMs: clock.now() }));
    },
  );
}
