import type { FastifyInstance } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import type { HistoryReader } from '../../history/reader.js';
import { seriesKey } from '../../history/rollup/model-series.js';
import type { MaintenanceView } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Clock } from '../../time/clock.js';
import type { AssetCatalog } from '../asset-catalog.js';
import { renderNodePage } from '../page/node-page.js';
import { isUptimePeriod, periodBuckets, UPTIME_PERIODS } from '../page/periods.js';
import { documentRoot, sendPageDocument } from './page-document.js';

export interface NodePageOptions {
  model: HealthModel;
  history: Pick<HistoryReader, 'series' | 'uptime'>;
  /** `branding` is read at each request: a reload may replace it. */
  settings: { readonly branding: BrandingConfig };
  assets: () => AssetCatalog;
  clock: Clock;
  /** Maintenance windows: a node under one says so. */
  maintenance?: Pick<MaintenanceView, 'isUnderMaintenance'>;
}

interface NodePageRequest {
  Params: { serviceId: string; nodeId: string };
  Querystring: { period?: string };
}

/**
 * A node's detail page, `/node/<service>/<node>/?period=24h|7d|90d` (24h when absent), read from
 * the store at each request: one series and one uptime, a few milliseconds. Unknown nodes are 404,
 * an unknown period 400.
 */
export function nodePageRoutes(app: FastifyInstance, options: NodePageOptions) {
  const { model, history, settings, clock } = options;
  app.get<NodePageRequest>('/node/:serviceId/:nodeId', async (request, reply) => {
    const { serviceId, nodeId } = request.params;
    const service = model.services.get(serviceId);
    const node = service?.nodes.get(nodeId);
    if (!service || !node) return reply.callNotFound();
    const period = request.query.period ?? '24h';
    if (!isUptimePeriod(period))
      return reply.code(400).send({ error: `period must be one of ${UPTIME_PERIODS.join(', ')}` });
    const nowMs = clock.now();
    const buckets = periodBuckets(period, nowMs);
    const key = seriesKey('node', serviceId, nodeId);
    const [rows, [uptime]] = await Promise.all([
      history.series(key, buckets.resolution, buckets.starts[0] ?? nowMs, nowMs + 1),
      history.uptime([key], period),
    ]);
    if (!uptime) return reply.callNotFound();
    const body = renderNodePage({
      service,
      node,
      period,
      buckets,
      rows,
      uptime,
      pageHealth: model.pageHealth,
      underMaintenance: options.maintenance?.isUnderMaintenance(serviceId, nodeId) ?? false,
      branding: settings.branding,
      nowMs,
      assetUrl: options.assets().url,
      root: documentRoot(request, 3),
    });
    return sendPageDocument(request, reply, body);
  });
}
