import type { AnnouncementSource } from '../../announcements/types.js';
import type { BrandingConfig } from '../../config/schema.js';
import type { MaintenanceView } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Clock } from '../../time/clock.js';
import type { AssetCatalog } from '../asset-catalog.js';
import { type ChangeSource, PageCache } from './cache.js';
import { type FragmentInputs, PageFragments } from './fragments.js';
import type { PageHistory } from './history.js';
import { renderPage } from './render.js';
import { PAGE_TEXTS } from './texts.js';

/** Bursts of reports inside this window render once; it also bounds how stale a page can be. */
export const PAGE_RENDER_INTERVAL_MS = 200;

/** How old the page's "refreshed" time may get: Vigil's aggregator stamps it every 10 s. */
export const PAGE_MAX_AGE_MS = 10_000;

export interface StatusPageOptions {
  model: HealthModel;
  announcements: AnnouncementSource;
  /** `branding` is read at each render: a reload may replace it. */
  settings: { readonly branding: BrandingConfig };
  /** The catalog of the current branding (its page.css carries the logo colour). */
  assets: () => AssetCatalog;
  clock: Clock;
  renderIntervalMs?: number;
  /** The store's history; without it the page shows none. */
  history?: PageHistory;
  /** Maintenance windows; without them the page shows none. */
  maintenance?: MaintenanceView;
}

/**
 * The page cache over the model, the announcements and the history: what is shown and what makes
 * it change.
 */
export function createStatusPage(options: StatusPageOptions): PageCache {
  const { model, announcements, settings, assets, clock, history, maintenance } = options;
  const fragments = new PageFragments(model);
  const fragmentInputs = (): FragmentInputs => ({
    texts: PAGE_TEXTS[settings.branding.language],
    assetUrl: assets().url,
    history: history?.current,
    maintenance,
  });
  const sources: ChangeSource[] = [
    (onChange) => fragments.watch(onChange),
    (onChange) => announcements.onChange(onChange),
  ];
  if (history) sources.push((onChange) => history.onChange(onChange));
  if (maintenance) sources.push((onChange) => maintenance.onChange(onChange));
  return new PageCache({
    prepare: (budgetMs) => fragments.prepare(fragmentInputs, budgetMs),
    render: () =>
      renderPage({
        model,
        announcements: announcements.list(),
        branding: settings.branding,
        nowMs: clock.now(),
        assetUrl: assets().url,
        history: history?.current,
        maintenance: maintenance && {
          active: maintenance.active(),
          upcoming: maintenance.upcoming(),
          isUnderMaintenance: (serviceId, nodeId) => maintenance.isUnderMaintenance(serviceId, nodeId),
        },
        sections: fragments.sections(fragmentInputs),
      }),
    sources,
    clock,
    intervalMs: options.renderIntervalMs ?? PAGE_RENDER_INTERVAL_MS,
    maxAgeMs: PAGE_MAX_AGE_MS,
  });
}
