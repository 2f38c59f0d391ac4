import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StorageEngine } from '../../store/types.js';
import type { Clock } from '../../time/clock.js';

/** What readiness asks: the store's engine and a trivial query against it. */
export interface ReadinessProbe {
  readonly engine: StorageEngine;
  ping(): Promise<void>;
}

export interface HealthRouteOptions {
  /** Absent when the app runs without a store (tests of the web layer alone): always ready. */
  store?: ReadinessProbe;
  clock: Clock;
  /** How long the store may take to answer before readiness fails; short, as balancers probe often. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

/** Probes must always see the current answer, never one a proxy kept. */
function fresh(reply: FastifyReply): FastifyReply {
  return reply.type('application/json').header('Cache-Control', 'no-store');
}

/**
 * Extension for load balancers and orchestrators (not in Vigil; no Vigil path clashes).
 * `GET /healthz` (liveness): 200 while the process runs and its event loop answers.
 * `GET /readyz` (readiness): 200 when the store answers a trivial query within `timeoutMs`, else 503
 * with the reason in `error`, the one error shape. Both answer HEAD; like every route, no per-request log line.
 */
export function healthRoutes(app: FastifyInstance, options: HealthRouteOptions) {
  const { store, clock, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const engine = store?.engine ?? 'none';
  const check = store ? storeCheck(store, clock, timeoutMs) : async () => undefined;
  let lastFailure: string | undefined;

  app.get('/healthz', async (_request, reply) => fresh(reply).send({ status: 'alive' }));

  app.get('/readyz', async (_request, reply) => {
    const failure = await check();
    // One log line per change, not one per probe: balancers ask every few seconds.
    if (failure !== lastFailure) {
      if (failure) app.log.warn(`not ready: ${failure}`);
      else app.log.info(`ready again: the ${engine} store answers`);
      lastFailure = failure;
    }
    if (!failure) return fresh(reply).send({ status: 'ready', store: engine });
    return fresh(reply).code(503).send({ error: failure, status: 'unavailable', store: engine });
  });
}

/**
 * A check that resolves with undefined when the store answered in time, or with why not. Checks
 * asked while one runs share it, so a hung store never piles up queries, one per probe.
 */
function storeCheck(
  store: ReadinessProbe,
  clock: Clock,
  timeoutMs: number,
): () => Promise<string | undefined> {
  let running: Promise<string | undefined> | undefined;
  const once = async (): Promise<string | undefined> => {
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = clock.setTimeout(
        () => resolve(`the ${store.engine} store did not answer within ${timeoutMs} ms`),
        timeoutMs,
      );
    });
    const answered = store.ping().then(
      () => undefined,
      (error: unknown) => `the ${store.engine} store failed: ${describe(error)}`,
    );
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
  };
  return () => {
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  };
}

/** The error's code (ECONNREFUSED, 57P01...): the route is public, and driver messages may name hosts and users. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code) return code;
  return 'query error';
}
