import type { FastifyInstance } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import type { MaintenanceView } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Clock } from '../../time/clock.js';
import type { AssetCatalog } from '../asset-catalog.js';
import type { HistoryView } from '../page/history.js';
import { renderServicePage, servicePageCount } from '../page/service-page.js';
import { documentRoot, sendPageDocument } from './page-document.js';

export interface ServicePageOptions {
  model: HealthModel;
  /** `branding` is read at each request: a reload may replace it. */
  settings: { readonly branding: BrandingConfig };
  assets: () => AssetCatalog;
  clock: Clock;
  /** The status page's history strips, when the store has them. */
  history: () => HistoryView | undefined;
  maintenance?: Pick<MaintenanceView, 'isUnderMaintenance'>;
}

interface ServicePageRequest {
  Params: { serviceId: string };
  Querystring: { page?: string };
}

/**
 * A service's page of all its nodes, `/service/<service>/?page=N` (1 when absent), rendered at each
 * request: at most SERVICE_PAGE_NODES rows. An unknown service is 404, a page out of range 400.
 */
export function servicePageRoutes(app: FastifyInstance, options: ServicePageOptions) {
  const { model, settings, clock } = options;
  app.get<ServicePageRequest>('/service/:serviceId', async (request, reply) => {
    const service = model.services.get(request.params.serviceId);
    if (!service) return reply.callNotFound();
    const pages = servicePageCount(service);
    const page = Number(request.query.page ?? '1');
    if (!Number.isInteger(page) || page < 1 || page > pages)
      return reply.code(400).send({ error: `page must be a whole number from 1 to ${pages}` });
    const body = renderServicePage({
      service,
      serviceIndex: [...model.services.keys()].indexOf(service.spec.id),
      page,
      pageHealth: model.pageHealth,
      branding: settings.branding,
      nowMs: clock.now(),
      assetUrl: options.assets().url,
      root: documentRoot(request, 2),
      history: options.history(),
      maintenance: options.maintenance,
    });
    return sendPageDocument(request, reply, body);
  });
}
