import type { FastifyInstance } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import type { HealthModel } from '../../model/health-model.js';
import { buildStatusReport } from '../../model/status-report.js';

/** Machine-readable status: `/status/text` and `/status/report` (spec §2.3). */
export function statusRoutes(
  app: FastifyInstance,
  options: { model: HealthModel; branding: BrandingConfig },
) {
  const { model, branding } = options;
  const page = { title: branding.page_title, url: branding.page_url };

  app.get('/status/text', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(model.pageHealth),
  );

  app.get('/status/report', async (_request, reply) =>
    reply.type('application/json').send(buildStatusReport(model, page)),
  );

  app.get('/robots.txt', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send('User-agent: *\nDisallow:\n'),
  );
}
