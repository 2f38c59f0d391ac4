import type { BrandingConfig } from '../../config/schema.js';
import type { Uptime } from '../../history/reader.js';
import { HEALTH_STATES, type Health } from '../../model/health.js';
import type { NodeView, ServiceView } from '../../model/views.js';
import type { RollupRow } from '../../store/types.js';
import type { AssetUrl } from '../asset-catalog.js';
import {
  type ChartBucket,
  type ChartOptions,
  latencyChartSvg,
  uptimeChartSvg,
} from '../history/detail-charts.js';
import { uptimePercent } from '../history/uptime-bar.js';
import { html, type SafeHtml } from '../html.js';
import { uptimeView } from '../routes/api-v1-views.js';
import { coveredTime } from './node-history.js';
import { UPTIME_PERIODS, type UptimePeriod } from './periods.js';
import { type DocumentPlace, documentHead, footer, header } from './render.js';
import { replicaItems } from './services.js';
import { PAGE_TEXTS, type PageTexts } from './texts.js';

export interface NodePageInput {
  service: ServiceView;
  node: NodeView;
  period: UptimePeriod;
  /** The period's bucket starts, oldest first, and their length. */
  buckets: { starts: readonly number[]; size: number };
  /** The node's stored rows in those buckets. */
  rows: readonly RollupRow[];
  uptime: Uptime;
  /** The page's state, for Vigil's `window.STATUS_GENERAL`, which custom_html scripts may read. */
  pageHealth: Health;
  /** A maintenance window covers the node now. */
  underMaintenance: boolean;
  branding: BrandingConfig;
  nowMs: number;
  assetUrl: AssetUrl;
  /** The path from this document to the status page's folder. */
  root: string;
}

/**
 * A node's own page (`node/<service>/<node>/`): its state and replicas now, and over the period
 * chosen by plain links (24 h, 7 d, 90 d) its uptime, how much data that figure covers, and charts
 * of uptime and response time. Complete without JavaScript; `chart.js` adds hover readouts and
 * `local-time.js` the reader's time zone.
 */
export function renderNodePage(input: NodePageInput): string {
  const { service, node, branding, period } = input;
  const texts = PAGE_TEXTS[branding.language];
  const place: DocumentPlace = { root: input.root, assetUrl: input.assetUrl, texts };
  const label = node.spec.label;
  const buckets = chartBuckets(input);
  const periodName = texts.periods[period];
  const chart = (makeLabel: (node: string, period: string) => string): ChartOptions => ({
    label: makeLabel(label, periodName),
    bucketMs: input.buckets.size,
    lang: texts.lang,
    words: { noData: texts.noData, uptime: texts.bucketUptime, latency: texts.bucketLatency },
  });
  const headPart = documentHead(branding, input.pageHealth, place, {
    title: `${label} – ${service.spec.label} – ${branding.page_title}`,
    scripts: ['local-time.js', 'chart.js'],
  });
  return html`<!doctype html>
<html lang="${texts.lang}" data-status="${node.health}">${headPart}<body>${header(branding, place)}<main class="wrap wrapper node-page"><p class="back"><a href="${input.root || './'}">← ${texts.backToPage}</a></p><h1 class="node-title">${service.spec.label} › ${label}</h1><p class="node-now is-${node.health}">${texts.currentState}: <strong>${texts.health[node.health]}</strong>${
    input.underMaintenance && html` <span class="maintenance-tag">${texts.underMaintenance}</span>`
  }</p><ol class="replicas" aria-label="${texts.replicasOf(label)}">${replicaItems(node, 'n', texts)}</ol>${periodLinks(period, texts)}<section class="detail-section" aria-labelledby="uptime-title"><h2 id="uptime-title">${texts.uptimeHeading}</h2>${uptimeFigure(input.uptime, texts)}${chartFigure(uptimeChartSvg(buckets, chart(texts.uptimeChart)), uptimeLegend(texts))}</section><section class="detail-section" aria-labelledby="latency-title"><h2 id="latency-title">${texts.responseTimeHeading}</h2>${chartFigure(latencyChartSvg(buckets, chart(texts.latencyChart)), latencyLegend)}</section></main>${footer(branding, input.nowMs, texts)}</body></html>
`.value;
}

/** The period switch: plain links, the current one marked for screen readers and CSS. */
function periodLinks(current: UptimePeriod, texts: PageTexts): SafeHtml {
  const links = UPTIME_PERIODS.map(
    (period) =>
      html`<li><a href="?period=${period}"${period === current && html` aria-current="page"`}>${texts.periods[period]}</a></li>`,
  );
  return html`<nav class="periods" aria-label="${texts.periodNavigation}"><ul>${links}</ul></nav>`;
}

/** "99.95% up over 6 d 4 h of data", with the ratio `/api/v1/uptime` gives in the `data` element. */
function uptimeFigure(uptime: Uptime, texts: PageTexts): SafeHtml {
  const percent = uptimePercent(uptime);
  const ratio = uptimeView(uptime).uptime;
  if (percent === null || ratio === null) return html`<p class="uptime-figure">${texts.noData}</p>`;
  return html`<p class="uptime-figure"><data value="${ratio}">${percent}</data> ${texts.up} ${texts.coverage(coveredTime(uptime, texts))}</p>`;
}

/**
 * A chart, the line its script fills in as the pointer or the arrow keys move over it, and its
 * legend (hidden from screen readers, which read each chart's own label and bucket titles).
 */
function chartFigure(svg: SafeHtml, legend: SafeHtml): SafeHtml {
  return html`<figure class="chart">${svg}<figcaption class="chart-readout muted" aria-live="polite"></figcaption><p class="chart-legend muted" aria-hidden="true">${legend}</p></figure>`;
}

const legendKey = (name: string, text: string) => html`<span class="key key-${name}"></span>${text} `;

function uptimeLegend(texts: PageTexts): SafeHtml {
  return html`${HEALTH_STATES.map((state) => legendKey(state, texts.health[state]))}${legendKey('none', texts.noData)}`;
}

const latencyLegend = html`${legendKey('p95', 'p95')}${legendKey('p50', 'p50')}`;

/** One bucket per start, with the node's stored row where there is one (none: no data). */
function chartBuckets(input: NodePageInput): ChartBucket[] {
  const byStart = new Map(input.rows.map((row) => [row.bucketMs, row]));
  return input.buckets.starts.map((tMs) => {
    const row = byStart.get(tMs);
    return {
      tMs,
      healthySeconds: row?.healthySeconds ?? 0,
      sickSeconds: row?.sickSeconds ?? 0,
      deadSeconds: row?.deadSeconds ?? 0,
      ...(row?.p50Ms !== undefined && { p50Ms: row.p50Ms }),
      ...(row?.p95Ms !== undefined && { p95Ms: row.p95Ms }),
    };
  });
}
