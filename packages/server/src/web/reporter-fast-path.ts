import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyServerFactory } from 'fastify';
import type { ReporterRequestCounter } from '../metrics/reporter-requests.js';
import type { TokenVerdict } from './auth.js';
import {
  isPlainReport,
  logsReports,
  REPORTER_BODY_LIMIT_BYTES,
  type ReportBody,
  type ReporterAnswer,
  type ReportHandler,
} from './routes/report-handler.js';
import { PATH_PARAM_MAX_UTF16_UNITS } from './validation/fields.js';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The one report path it takes: ids of unreserved characters, which neither Fastify's router nor a
 * client would decode or normalise differently, at most one trailing slash, no query. Anything else
 * (percent-encoding, doubled slashes, dot segments, `?…`) goes to Fastify's router.
 */
const REPORT_PATH = /^\/reporter\/([\w-][\w.~-]*)\/([\w-][\w.~-]*)\/?$/;
/** What Vigil's reporters send; Fastify reads the other JSON media types (`+json`, other charsets) alike. */
const PLAIN_JSON = /^application\/json(?:; ?charset=utf-8)?$/i;
/** Keys Fastify's JSON parser refuses (prototype poisoning): such a body is left to it. */
const POISON_KEYS = /__proto__|constructor/;

/**
 * Fastify's headers on the reporter's empty answers, nosniff from `app.ts`' onSend hook included:
 * a flat [name, value, …] array, which node:http writes as it stands (no object keys to walk).
 */
const EMPTY_ANSWER_HEADERS = ['x-content-type-options', 'nosniff', 'content-length', '0'];

export interface ReporterFastPathOptions {
  report: ReportHandler;
  /** The reporter route's token check (`tokenVerdict`), run as its onRequest hook runs it. */
  verdict: (address: string, authorization: string | undefined) => TokenVerdict;
  logger: FastifyBaseLogger;
  /** Fastify's request ids (its `genReqId`), so the fast path's log lines carry ids from the same sequence. */
  requestId: () => string;
  /** `[prometheus]`'s reporter request counter, when enabled: Fastify's onResponse hook counts the others. */
  count?: ReporterRequestCounter;
}

/**
 * `POST /reporter/:probeId/:nodeId` answered on node:http, below Fastify, whose per-request
 * machinery was a quarter of a report's CPU (docs/performance.md). It takes only a plain report:
 * the path, a JSON content type, a Content-Length within the body limit, the right token from an
 * address not throttled, and a body that surely passes the route's schema. Everything else goes to
 * Fastify, before its body is read or, once read, with the body kept for the reporter route's
 * `preParsing` hook to hand back (`replay`), so Fastify words every refusal of a head or a body as
 * before. The rest (the model's outcome, the checks past the schema) is answered through the same
 * `ReportHandler` as the route's, with the same headers.
 */
export class ReporterFastPath {
  private readonly bodies = new WeakMap<IncomingMessage, Buffer>();
  private closing = false;

  constructor(private readonly options: ReporterFastPathOptions) {}

  /**
   * A Fastify `serverFactory`: the server Fastify would make with these timeouts (`serverTimeouts`,
   * which the app passes Fastify too), with the fast path in front of Fastify's handler.
   */
  serverFactory(timeouts: {
    http: ServerOptions;
    keepAliveTimeout: number;
    requestTimeout: number;
  }): FastifyServerFactory {
    return (fastifyHandler) => {
      const server: Server = createServer(timeouts.http, (request, response) =>
        this.handle(request, response, fastifyHandler),
      );
      // What Fastify sets on a server it makes itself (fastify/lib/server.js).
      server.keepAliveTimeout = timeouts.keepAliveTimeout;
      server.requestTimeout = timeouts.requestTimeout;
      return server;
    };
  }

  /** From Fastify's preClose on, every request goes to Fastify, which answers 503 while closing. */
  close(): void {
    this.closing = true;
  }

  /** For the reporter route's `preParsing` hook: the body the fast path read before handing the request over. */
  replay(request: IncomingMessage): Readable | undefined {
    const body = this.bodies.get(request);
    if (body === undefined) return undefined;
    this.bodies.delete(request);
    return Readable.from([body], { objectMode: false });
  }

  handle(request: IncomingMessage, response: ServerResponse, fallback: RequestListener): void {
    const ids = this.closing ? undefined : this.reportIds(request);
    if (ids === undefined) {
      fallback(request, response);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client gone before the end of its body: no answer is wanted, and nothing was applied.
    request.on('error', () => undefined);
    request.on('end', () => {
      const body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
      const report = plainReport(body);
      if (report === undefined) {
        this.bodies.set(request, body);
        fallback(request, response);
        return;
      }
      this.answer(response, this.apply(ids, report));
    });
  }

  /** The ids of a request the fast path takes, read from its head alone; undefined for Fastify's. */
  private reportIds(request: IncomingMessage): { probeId: string; nodeId: string } | undefined {
    if (request.method !== 'POST') return undefined;
    const { headers } = request;
    if (headers['transfer-encoding'] !== undefined || !PLAIN_JSON.test(headers['content-type'] ?? ''))
      return undefined;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= REPORTER_BODY_LIMIT_BYTES)) return undefined;
    const [, probeId, nodeId] = REPORT_PATH.exec(request.url ?? '') ?? [];
    if (probeId === undefined || nodeId === undefined) return undefined;
    // Fastify's router refuses longer ids itself.
    if (probeId.length > PATH_PARAM_MAX_UTF16_UNITS || nodeId.length > PATH_PARAM_MAX_UTF16_UNITS)
      return undefined;
    // Fastify's `request.ip` without trustProxy, as the route's hook reads it.
    const address = request.socket.remoteAddress ?? '';
    if (this.options.verdict(address, headers.authorization) !== 'ok') return undefined;
    return { probeId, nodeId };
  }

  private apply(ids: { probeId: string; nodeId: string }, report: ReportBody): ReporterAnswer {
    const { logger } = this.options;
    // Fastify's request logger: a child with the request's id, made only when a line will be printed.
    const log = logsReports(logger) ? logger.child({ reqId: this.options.requestId() }) : logger;
    try {
      return this.options.report(ids.probeId, ids.nodeId, report, log);
    } catch (error) {
      // As `answerErrors` answers a route that threw.
      logger.child({ reqId: this.options.requestId() }).error({ err: error }, 'request failed');
      return { status: 500, error: 'internal error' };
    }
  }

  private answer(response: ServerResponse, { status, error }: ReporterAnswer): void {
    if (error === undefined) response.writeHead(status, EMPTY_ANSWER_HEADERS).end();
    else {
      const text = JSON.stringify({ error });
      response
        .writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-content-type-options': 'nosniff',
          'content-length': String(Buffer.byteLength(text)),
        })
        .end(text);
    }
    this.options.count?.('POST', status);
  }
}

/** The body as a report the route's schema surely accepts, or undefined for Fastify to parse and word. */
function plainReport(body: Buffer): ReportBody | undefined {
  const text = body.toString('utf8');
  if (POISON_KEYS.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isPlainReport(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Request ids as Fastify makes them by default (`req-1`, `req-2`, … in base 36, wrapping at 2^31),
 * from one sequence for Fastify (its `genReqId`) and the fast path.
 */
export function requestIds(): () => string {
  let last = 0;
  return () => {
    last = (last + 1) & 0x7fffffff;
    return `req-${last.toString(36)}`;
  };
}
