import type { FastifyInstance } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Clock } from '../../time/clock.js';
import type { AssetCatalog } from '../asset-catalog.js';
import { trackPageHealth } from '../page/page-since.js';
import { PAGE_TEXTS } from '../page/texts.js';
import { sendRepresentation } from '../representation.js';

export interface EmbedOptions {
  model: HealthModel;
  clock: Clock;
  assets: AssetCatalog;
  /** `branding` is read on each request: a reload may replace it. */
  settings: { readonly branding: BrandingConfig };
}

/**
 * The banner another site includes to warn its visitors during a long outage:
 * `<script src="https://status.example.com/embed.js" data-after-minutes="10" async></script>`.
 * `/embed.js` is the script; `/embed/status` what it polls, readable from any origin.
 */
export function embedRoutes(app: FastifyInstance, options: EmbedOptions) {
  const { model, clock, assets, settings } = options;
  const script = assets.get('embed.js');
  if (!script) throw new Error('embed.js is missing from the asset catalog');
  const pageHealth = trackPageHealth(model, clock);
  app.addHook('onClose', async () => pageHealth.stop());

  app.get('/embed.js', async (request, reply) => {
    reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    // Short: sites keep this URL for years and should pick up fixes.
    return sendRepresentation(request, reply, script, 'public, max-age=3600');
  });

  app.get('/embed/status', async (_request, reply) => {
    const { health, sinceMs } = pageHealth.read();
    reply
      .header('Access-Control-Allow-Origin', '*')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('Cache-Control', 'no-cache');
    return {
      health,
      since: new Date(sinceMs).toISOString(),
      // Counted here, so a visitor's wrong clock cannot show or hide the banner.
      forSeconds: Math.max(0, Math.floor((clock.now() - sinceMs) / 1000)),
      message: PAGE_TEXTS[settings.branding.language].banner[health],
      page: { title: settings.branding.page_title, url: new URL(settings.branding.page_url).href },
    };
  });
}
