import type { FastifyInstance } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import type { HealthModel } from '../../model/health-model.js';
import { buildStatusReport } from '../../model/status-report.js';

/** Machine-readable status: `/status/text` and `/status/report` (spec §2.3). */
export function statusRoutes(
  app: FastifyInstance,
  /** `settings.branding` is read on each request: a reload may replace it. */
  options: { model: HealthModel; settings: { readonly branding: BrandingConfig } },
) {
  const { model, settings } = options;

  app.get('/status/text', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(model.pageHealth),
  );

  app.get('/status/report', async (_request, reply) =>
    reply.type('application/json').send(
      buildStatusReport(model, {
        title: settings.branding.page_title,
        url: settings.branding.page_url,
      }),
    ),
  );

  app.get('/robots.txt', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send('User-agent: *\nDisallow:\n'),
  );
}
