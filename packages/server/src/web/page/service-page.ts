import type { BrandingConfig } from '../../config/schema.js';
import type { Health } from '../../model/health.js';
import type { ServiceView } from '../../model/views.js';
import type { AssetUrl } from '../asset-catalog.js';
import { html } from '../html.js';
import type { HistoryView } from './history.js';
import type { PageMaintenance } from './maintenance.js';
import { renderSubpage } from './render.js';
import { nodeItem, nodeKey, serviceSection } from './services.js';
import { PAGE_TEXTS } from './texts.js';

/** Nodes per page of a service's page: a page of rows stays around half a megabyte at most. */
export const SERVICE_PAGE_NODES = 200;

export interface ServicePageInput {
  service: ServiceView;
  /** The service's place in the config, which keys its rows' element ids as on the status page. */
  serviceIndex: number;
  /** 1-based; the caller checks it is within `servicePageCount`. */
  page: number;
  pageHealth: Health;
  branding: BrandingConfig;
  nowMs: number;
  assetUrl: AssetUrl;
  /** The path from this document to the status page's folder. */
  root: string;
  history?: HistoryView;
  maintenance?: Pick<PageMaintenance, 'isUnderMaintenance'>;
}

/** How many pages a service's nodes fill (at least one). */
export function servicePageCount(service: ServiceView): number {
  return Math.max(1, Math.ceil(service.nodes.size / SERVICE_PAGE_NODES));
}

/**
 * A service's page, `service/<service>/?page=N`: every one of its nodes in turn, a row each as on
 * a status page small enough to list them, in pages of SERVICE_PAGE_NODES. The status page links
 * here when it summarises the service.
 */
export function renderServicePage(input: ServicePageInput): string {
  const { service, page, branding, root } = input;
  const texts = PAGE_TEXTS[branding.language];
  const first = (page - 1) * SERVICE_PAGE_NODES;
  const nodes = [...service.nodes.values()].slice(first, first + SERVICE_PAGE_NODES);
  const rows = nodes.map((node, index) =>
    nodeItem(node, nodeKey(input.serviceIndex, first + index), {
      texts,
      history: input.history?.nodes.get(node.spec),
      underMaintenance: input.maintenance?.isUnderMaintenance(service.spec.id, node.spec.id) ?? false,
      root,
    }),
  );
  // The section's icons, from this document's place.
  const assetUrl: AssetUrl = (name) => `${root}${input.assetUrl(name)}`;
  const pages = servicePageCount(service);
  const range = texts.nodeRange(first + 1, first + nodes.length, service.nodes.size);
  const navigation =
    pages > 1 &&
    html`<nav class="node-pages" aria-label="${texts.nodePages}"><p>${range}</p><ul>${
      page > 1 && html`<li><a href="?page=${page - 1}" rel="prev">${texts.previousNodes}</a></li>`
    }${page < pages && html`<li><a href="?page=${page + 1}" rel="next">${texts.nextNodes}</a></li>`}</ul></nav>`;
  return renderSubpage({
    branding,
    health: input.pageHealth,
    nowMs: input.nowMs,
    assetUrl: input.assetUrl,
    root,
    title: service.spec.label,
    main: html`<p class="back"><a href="${root || './'}">← ${texts.backToPage}</a></p>${serviceSection(service, assetUrl, texts, rows)}${navigation}`,
  });
}
