import type { FastifyInstance } from 'fastify';
import type { VigilMetrics } from '../../metrics/index.js';
import { countReporterRequests } from '../../metrics/reporter-requests.js';
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
  countReporterRequests(app, registry);
  const onRequest =
    options.token === undefined ? [] : [requireToken(options.token, 'Metrics Token', options.throttle)];
  app.get('/metrics', { onRequest }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
