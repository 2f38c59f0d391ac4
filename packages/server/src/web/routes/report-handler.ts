import type { FastifyBaseLogger } from 'fastify';
import { HEALTH_STATES, type Health } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import type { ApplyOutcome, ObservationSink } from '../../model/observation.js';
import { redactUrl } from '../../probes/redact.js';
import type { Clock } from '../../time/clock.js';
import { REPLICA_ID_RULE, textProblem } from '../validation/fields.js';

/** Reporter bodies are ~70 bytes; anything near this bound is not a report. */
export const REPORTER_BODY_LIMIT_BYTES = 64 * 1024;

/** A year, as for the config's intervals: Vigil takes any u64, which PostgreSQL's bigint cannot hold. */
export const REPORT_INTERVAL_MAX_SECONDS = 365 * 24 * 3600;

/** A report's body once it passed the route's schema (`routes/reporter.ts`). */
export interface ReportBody {
  replica: string;
  interval: number;
  load?: { cpu: number; ram: number };
  health?: Health;
}

/** What a report or a flush is answered: a status, and a message for the `{"error": …}` body. */
export interface ReporterAnswer {
  status: number;
  error?: string;
}

/** A stale report (the model took a newer one for that replica meanwhile) was received all the same. */
const OUTCOME_ANSWERS: Record<ApplyOutcome, ReporterAnswer> = {
  ok: { status: 200 },
  stale: { status: 200 },
  'not-found': { status: 404, error: 'unknown probe, node or replica' },
  'wrong-mode': { status: 412, error: 'the node mode does not accept this request' },
};

export const outcomeAnswer = (outcome: ApplyOutcome): ReporterAnswer => OUTCOME_ANSWERS[outcome];

/** The levels at which a debug line is printed. */
const LOGGED_AT_DEBUG = new Set(['debug', 'trace']);

/** Whether `logger` prints the per-report debug line: checked first, as reports come by thousands. */
export const logsReports = (logger: FastifyBaseLogger) => LOGGED_AT_DEBUG.has(logger.level);

export interface ReportHandlerOptions {
  model: HealthModel;
  /** Where reports go: the model, unless a cluster shares them with its other members too. */
  sink: ObservationSink;
  /** Stamps each report with the time it came in. */
  clock: Clock;
  /** `[metrics] reported_replicas_max`, read per report (a reload may change it): one more is refused. */
  replicasPerNodeMax: () => number;
}

/** Applies a report whose body passed the schema and says what to answer; the one handler behind both HTTP paths. */
export type ReportHandler = (
  probeId: string,
  nodeId: string,
  body: ReportBody,
  log: FastifyBaseLogger,
) => ReporterAnswer;

/**
 * What `POST /reporter/:probeId/:nodeId` does once auth and the body's schema passed, whichever
 * path the request came by (Fastify's route or the fast path): the checks the schema cannot say,
 * the model's `apply`, the debug line and the answer.
 */
export function reportHandler(options: ReportHandlerOptions): ReportHandler {
  const { model, sink, clock, replicasPerNodeMax } = options;

  /** A report of this mode would add a replica to a node that has its fill; poll nodes are left to the model. */
  function isFull(probeId: string, nodeId: string, replica: string, mode: 'push' | 'local'): boolean {
    const node = model.node(probeId, nodeId);
    return (
      node?.spec.mode === mode && !node.replicas.has(replica) && node.replicas.size >= replicasPerNodeMax()
    );
  }

  return (probeId, nodeId, { replica, interval, load, health }, log) => {
    const problem = textProblem('body/replica', replica, REPLICA_ID_RULE);
    if (problem !== undefined) return { status: 400, error: problem };
    // A load report wins over a health report, as in Vigil.
    const mode = load ? 'push' : health ? 'local' : undefined;
    if (mode && isFull(probeId, nodeId, replica, mode)) {
      return {
        status: 409,
        error: `node ${probeId}/${nodeId} already has ${replicasPerNodeMax()} replicas, the most [metrics] reported_replicas_max allows: flush one or raise the limit`,
      };
    }
    const subject = { serviceId: probeId, nodeId, replicaId: replica };
    const atMs = clock.now();
    let outcome: ApplyOutcome;
    // The model keeps its own copy of the load: only cpu and ram.
    if (load) {
      outcome = sink.apply({ kind: 'push', subject, atMs, intervalSeconds: interval, load });
    } else if (health) {
      outcome = sink.apply({ kind: 'local', subject, atMs, intervalSeconds: interval, health });
    } else return { status: 400, error: 'a report needs "load" (push) or "health" (local)' };
    if (logsReports(log)) {
      // A reporter may name its replica by a URL with credentials in it (Vigil Local does).
      const path = `${probeId}:${nodeId}:${redactUrl(replica)}`;
      const what = load ? `push, cpu ${load.cpu}, ram ${load.ram}` : `local, ${health}`;
      log.debug(`report for ${path} (${what}, every ${interval} s): ${outcome}`);
    }
    return outcomeAnswer(outcome);
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isLoad = (value: unknown): value is { cpu: number; ram: number } =>
  isObject(value) &&
  typeof value.cpu === 'number' &&
  Number.isFinite(value.cpu) &&
  value.cpu >= 0 &&
  typeof value.ram === 'number' &&
  Number.isFinite(value.ram) &&
  value.ram >= 0;

const isHealth = (value: unknown): value is Health => HEALTH_STATES.some((state) => state === value);

/**
 * Whether a parsed body surely passes the route's JSON schema (`reportBody` in `routes/reporter.ts`).
 * It may refuse more than the schema does, never less: the fast path answers only bodies it accepts
 * and leaves every other one to Fastify, whose validation words the 400.
 */
export function isPlainReport(value: unknown): value is ReportBody {
  if (!isObject(value)) return false;
  const { replica, interval, load, health } = value;
  return (
    typeof replica === 'string' &&
    typeof interval === 'number' &&
    Number.isInteger(interval) &&
    interval >= 0 &&
    interval <= REPORT_INTERVAL_MAX_SECONDS &&
    (load === undefined || isLoad(load)) &&
    (health === undefined || isHealth(health))
  );
}
