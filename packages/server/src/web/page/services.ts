import { HEALTH_STATES } from '../../model/health.js';
import type { NodeView, ServiceView } from '../../model/views.js';
import type { AssetUrl } from '../asset-catalog.js';
import { html, SafeHtml } from '../html.js';
import { replicaItem } from './replica.js';
import type { PageTexts } from './texts.js';
import { nodeDetailsPath, safeLinkUrl } from './urls.js';

/**
 * Past this many replicas a node shows counts and its first unhealthy replicas instead of a box
 * each: the page then grows with nodes, not replicas (a 100,000-replica fleet stays a small page).
 */
export const REPLICA_BOXES_MAX = 100;

/** Every replica's box, or for a large node its counts and up to REPLICA_BOXES_MAX unhealthy boxes. */
export function replicaItems(node: NodeView, key: string, texts: PageTexts): SafeHtml[] {
  const { spec } = node;
  const boxes: SafeHtml[] = [];
  const large = node.replicas.size > REPLICA_BOXES_MAX;
  let position = 0;
  for (const replica of node.replicas.values()) {
    position += 1;
    if (boxes.length === REPLICA_BOXES_MAX) break;
    if (large && replica.health === 'healthy') continue;
    boxes.push(replicaItem(spec, replica, position, `${key}-${position - 1}`, texts));
  }
  if (!large) return boxes;
  const unhealthy = node.counts.of('sick') + node.counts.of('dead');
  const hidden = unhealthy - boxes.length;
  return [
    html`<li class="replica-summary">${texts.replicaSummary(healthCountsText(node.counts, texts), hidden)}</li>`,
    ...boxes,
  ];
}

/** How many replica boxes `replicaItems` shows for the node, without rendering them. */
export function shownBoxCount(node: NodeView): number {
  if (node.replicas.size <= REPLICA_BOXES_MAX) return node.replicas.size;
  return Math.min(REPLICA_BOXES_MAX, node.counts.of('sick') + node.counts.of('dead'));
}

/** What a node row shows beside the model's state: the page's choices for it. */
export interface NodeRowContext {
  texts: PageTexts;
  /** The node's history strip, when the store's history is on the page. */
  history?: SafeHtml;
  underMaintenance: boolean;
  /** The path from the document to the status page's folder ('' on the status page). */
  root: string;
}

/**
 * One node row: its tinted label (a link to the node's page when there is history to show), the
 * numbered replica boxes and the optional link. The row is a grid with room for a history strip
 * (uptime bars, latency chart) under the replicas.
 */
export function nodeItem(node: NodeView, key: string, context: NodeRowContext): SafeHtml {
  const { spec } = node;
  const { texts, history, underMaintenance } = context;
  const replicas = replicaItems(node, key, texts);
  const details = history && nodeDetailsPath(spec.serviceId, spec.id);
  const label = details
    ? html`<a class="node-details" href="${context.root}${details}">${spec.label}</a>`
    : spec.label;
  const href = safeLinkUrl(spec.linkUrl);
  return html`<li class="node is-${node.health} status-${node.health}-background-before${underMaintenance ? ' under-maintenance' : ''}"><span class="node-label status-${node.health}-background-subtle status-${node.health}-border-subtle"><span class="glyph" aria-hidden="true"></span>${label}<span class="sr">: ${texts.health[node.health]}</span>${
    underMaintenance && html`<span class="maintenance-tag">${texts.underMaintenance}</span>`
  }</span><ol class="replicas" aria-label="${texts.replicasOf(spec.label)}">${replicas}</ol>${
    href && html`<a class="node-link link" href="${href}" rel="noopener">${spec.linkLabel ?? href}</a>`
  }${history}</li>`;
}

/** A node's key in the page's element ids: its place in the config, which stays put across renders. */
export function nodeKey(serviceIndex: number, nodeIndex: number): string {
  return `${serviceIndex}-${nodeIndex}`;
}

/** The counts of a level's members in words, worst last: "19,990 healthy, 10 sick". */
export function healthCountsText(counts: NodeView['counts'], texts: PageTexts): string {
  return HEALTH_STATES.filter((state) => counts.of(state) > 0)
    .map((state) => `${counts.of(state).toLocaleString(texts.lang)} ${texts.health[state]}`)
    .join(', ');
}

/** A summarised service's line: its nodes by state, and a link to the page that lists them all. */
export function nodeSummary(
  service: ServiceView,
  notShown: number,
  texts: PageTexts,
  servicePage: string | undefined,
): SafeHtml {
  const total = service.nodes.size.toLocaleString(texts.lang);
  return html`<p class="node-summary">${texts.nodeSummary(total, healthCountsText(service.counts, texts), notShown)}${
    servicePage && html` <a class="service-nodes" href="${servicePage}">${texts.allNodes}</a>`
  }</p>`;
}

/**
 * One section per service, in config order, titled by a self-linking anchor as in Vigil, around
 * its node rows (and, when the page summarises it, the line that counts them).
 */
export function serviceSection(
  service: ServiceView,
  assetUrl: AssetUrl,
  texts: PageTexts,
  rows: readonly (string | SafeHtml)[],
  summary?: SafeHtml,
): SafeHtml {
  const anchor = `probe-${service.spec.id}`;
  const nodes = rows.map((row) => (typeof row === 'string' ? new SafeHtml(row) : row));
  return html`<section class="service probe is-${service.health}" aria-labelledby="${anchor}"><h2 class="service-title title"><a href="#${encodeURIComponent(anchor)}" id="${anchor}"><img class="badge badge-default badge-status-${service.health}" src="${assetUrl(`icon-${service.health}.svg`)}" alt="" width="20" height="20">${service.spec.label}<span class="sr">: ${texts.health[service.health]}</span></a></h2>${summary}${
    // A summarised service with every node healthy lists none.
    (summary === undefined || nodes.length > 0) && html`<ul class="nodes">${nodes}</ul>`
  }</section>`;
}
