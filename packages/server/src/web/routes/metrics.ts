import type { FastifyInstance } from 'fastify';
import type { VigilMetrics } from '../../metrics/index.js';
import type { ReporterRequestCounter } from '../../metrics/reporter-requests.js';
import { requireToken } from '../auth.js';
import type { AuthThrottle } from '../auth-throttle.js';

/**
 * `GET /metrics` in Prometheus' text format (extension, `[prometheus] enabled = true`). With a
 * `token`, scrapers authenticate like reporters do: HTTP Basic, any user name, the token as password.
 * Register it on the root instance: its request counter must see the reporter routes' scope.
 */
export function metricsRoutes(
  app: FastifyInstance,
  options: { metrics: VigilMetrics; token?: string; throttle: AuthThrottle },
) {
  const { registry } = options.metrics;
  countReporterRequests(app, options.metrics.reporterRequests);
  const onRequest =
    options.token === undefined ? [] : [requireToken(options.token, 'Metrics Token', options.throttle)];
  app.get('/metrics', { onRequest }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}

/**
 * Counts reporter API requests by method (POST report, DELETE flush) and status code, auth failures
 * included. Hooks the given (root) instance, so routes in every plugin scope are seen.
 */
function countReporterRequests(app: FastifyInstance, count: ReporterRequestCounter): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern when one matched, so a request to an unknown path still counts under /reporter.
    const path = request.routeOptions.url ?? request.url;
    if (path.startsWith('/reporter/')) count(request.method, reply.statusCode);
  });
}
