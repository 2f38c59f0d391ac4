import type { Uptime } from '../../history/reader.js';
import type { NodeSpec } from '../../model/topology.js';
import { type LatencyPoint, latencyPeakMs, latencySparklineSvg } from '../history/latency-sparkline.js';
import { daysSummary, duration, uptimeBarSvg, uptimePercent } from '../history/uptime-bar.js';
import type { DayUptime } from '../history/uptime-days.js';
import { html, type SafeHtml } from '../html.js';
import { uptimeView } from '../routes/api-v1-views.js';
import type { PageTexts } from './texts.js';

/** Below this share of its window, a figure says how much data it stands on. */
const FULL_COVERAGE = 0.99;

/** How much time an uptime figure stands on: "6 d 4 h". */
export function coveredTime(uptime: Uptime, texts: PageTexts): string {
  return duration(uptime.healthySeconds + uptime.sickSeconds + uptime.deadSeconds, texts.dayUnit);
}

/**
 * A node's history strip, in the row's reserved `.node-history` slot: the day bar, the uptime
 * over the same days, and a latency chart when given (poll nodes). The bar is one tab stop; its
 * summary shows as a tooltip on keyboard focus (hover shows each day's own). The figure carries
 * the ratio `/api/v1/uptime` answers, so programs and tests can read the same number.
 */
export function nodeHistory(
  spec: NodeSpec,
  key: string,
  days: readonly DayUptime[],
  uptime: Uptime,
  texts: PageTexts,
  latency?: readonly LatencyPoint[],
): SafeHtml {
  const figure = uptimePercent(uptime);
  const window = texts.dayCount(days.length);
  const partial = uptime.uptime !== null && uptime.coverage < FULL_COVERAGE;
  const summary = texts.barSummary(spec.label, days.length, figure, daysSummary(days, { texts }));
  const ratio = uptimeView(uptime).uptime;
  return html`<div class="node-history"><div class="history-days">${uptimeBarSvg(days, summary, `u-${key}`, texts)}<span class="tip" aria-hidden="true">${summary}</span></div><p class="uptime-figure">${
    ratio === null ? texts.noData : html`<data value="${ratio}">${figure}</data>`
  } <span class="muted">${texts.uptimeOver(window)}${partial && `, ${texts.coverage(coveredTime(uptime, texts))}`}</span></p>${
    latency && latencyChart(spec, latency, texts)
  }</div>`;
}

/** The chart and its peak in words: a line alone does not say whether it tops out at 3 ms or 3 s. */
function latencyChart(spec: NodeSpec, latency: readonly LatencyPoint[], texts: PageTexts): SafeHtml {
  const peak = latencyPeakMs(latency);
  // The chart's own label says the same to screen readers.
  return html`<p class="latency">${latencySparklineSvg(latency, texts.latencyOver24h(spec.label), texts)} <span class="muted" aria-hidden="true">${
    peak === undefined ? texts.noLatencyData : texts.p95UpTo(Math.round(peak))
  }, 24 h</span></p>`;
}
