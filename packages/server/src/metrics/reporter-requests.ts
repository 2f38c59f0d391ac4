import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';

/**
 * Counts reporter API requests by method (POST report, DELETE flush) and status code, auth failures
 * included. Hooks the given (root) instance, so routes in every plugin scope are seen.
 */
export function countReporterRequests(app: FastifyInstance, registry: Registry): void {
  const counter = new Counter({
    name: 'vigil_reporter_requests_total',
    help: 'Reporter API requests (push and local reports, flushes), by method and status code',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern when one matched, so a request to an unknown path still counts under /reporter.
    const path = request.routeOptions.url ?? request.url;
    if (path.startsWith('/reporter/'))
      counter.inc({ method: request.method, code: String(reply.statusCode) });
  });
}
