import type { Uptime } from '../../history/reader.js';
import type { NodeSpec } from '../../model/topology.js';
import { type LatencyPoint, latencyPeakMs, latencySparklineSvg } from '../history/latency-sparkline.js';
import { daysSummary, uptimeBarSvg, uptimePercent } from '../history/uptime-bar.js';
import type { DayUptime } from '../history/uptime-days.js';
import { html, type SafeHtml } from '../html.js';
import { uptimeView } from '../routes/api-v1-views.js';

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
  latency?: readonly LatencyPoint[],
): SafeHtml {
  const figure = uptimePercent(uptime);
  const window = `${days.length} days`;
  const summary = `${spec.label}, last ${window}: ${figure === null ? 'no data' : `${figure} up`}; ${daysSummary(days)}`;
  const ratio = uptimeView(uptime).uptime;
  return html`<div class="node-history"><div class="history-days">${uptimeBarSvg(days, summary, `u-${key}`)}<span class="tip" aria-hidden="true">${summary}</span></div><p class="uptime-figure">${
    ratio === null ? 'No data' : html`<data value="${ratio}">${figure}</data>`
  } <span class="muted">uptime, ${window}</span></p>${latency && latencyChart(spec, latency)}</div>`;
}

/** The chart and its peak in words: a line alone does not say whether it tops out at 3 ms or 3 s. */
function latencyChart(spec: NodeSpec, latency: readonly LatencyPoint[]): SafeHtml {
  const peak = latencyPeakMs(latency);
  // The chart's own label says the same to screen readers.
  return html`<p class="latency">${latencySparklineSvg(latency, `${spec.label} latency, last 24 h`)} <span class="muted" aria-hidden="true">${
    peak === undefined ? 'no latency data' : `p95 ≤ ${Math.round(peak)} ms`
  }, 24 h</span></p>`;
}
