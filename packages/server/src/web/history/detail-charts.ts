import type { HealthTotals } from '../../store/types.js';
import { html, SafeHtml } from '../html.js';
import { type LatencyPoint, latencyPeakMs, linePath } from './latency-sparkline.js';
import { DAY_COLORS, uptimePercent } from './uptime-bar.js';

/** One bucket of a node's series as the detail page charts it; no samples, no latency. */
export interface ChartBucket extends HealthTotals, LatencyPoint {}

export interface ChartOptions {
  /** The chart's accessible name; its summary in words follows it. */
  label: string;
  /** The buckets' length: an hour or a day. */
  bucketMs: number;
  /** The document's language, for the axis dates (always UTC: the buckets are UTC hours and days). */
  lang: string;
  /** Words for a bucket: its uptime, or its latencies. */
  words: {
    noData: string;
    uptime: (percent: string) => string;
    latency: (p50: string, p95: string) => string;
  };
}

// The plot in viewBox units; the SVG scales to its container's width.
const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 52;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 26;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const round = (value: number) => Math.round(value * 10) / 10;

/**
 * The share of each bucket's observed time per state, as stacked columns on a 0–100 % axis: dead
 * at the top in red, sick in orange, healthy in green; a bucket without data is an empty grey
 * column. Server-rendered, so it shows without JavaScript; each column's `<title>` gives its
 * values on hover, and `chart.js` adds a readout that follows the pointer and the arrow keys.
 */
export function uptimeChartSvg(buckets: readonly ChartBucket[], options: ChartOptions): SafeHtml {
  const columnWidth = PLOT_WIDTH / Math.max(1, buckets.length);
  const columns = buckets.map((bucket, index) => {
    const observed = bucket.healthySeconds + bucket.sickSeconds + bucket.deadSeconds;
    const x = round(LEFT + index * columnWidth);
    const width = round(Math.max(0.5, columnWidth - (columnWidth > 3 ? 1 : 0)));
    if (observed === 0)
      return `<rect class="state-none" x="${x}" y="${TOP}" width="${width}" height="${PLOT_HEIGHT}" fill="${DAY_COLORS.none}" fill-opacity="0.35"/>`;
    let y = TOP;
    return (['dead', 'sick', 'healthy'] as const)
      .map((state) => {
        const height = (bucket[`${state}Seconds`] / observed) * PLOT_HEIGHT;
        const rect =
          height > 0
            ? `<rect class="state-${state}" x="${x}" y="${round(y)}" width="${width}" height="${round(height)}" fill="${DAY_COLORS[state]}"/>`
            : '';
        y += height;
        return rect;
      })
      .join('');
  });
  const values = buckets.map((bucket) => {
    const percent = uptimePercent(bucket);
    return percent === null ? options.words.noData : options.words.uptime(percent);
  });
  const yTicks = [0, 50, 100].map((percent) => ({
    y: TOP + PLOT_HEIGHT * (1 - percent / 100),
    text: `${percent}%`,
  }));
  return chartSvg('uptime-chart', buckets, options, {
    marks: new SafeHtml(`<g class="columns">${columns.join('')}</g>`),
    yTicks,
    values,
  });
}

/**
 * p95 (blue) and p50 (grey) latency per bucket as lines on an axis from 0 to a round number above
 * the highest p95; buckets without samples break the lines. Hover values as in `uptimeChartSvg`.
 */
export function latencyChartSvg(buckets: readonly ChartBucket[], options: ChartOptions): SafeHtml {
  const top = niceCeiling(latencyPeakMs(buckets) ?? 0);
  const columnWidth = PLOT_WIDTH / Math.max(1, buckets.length);
  const first = buckets[0]?.tMs ?? 0;
  const x = (tMs: number) => round(LEFT + ((tMs - first) / options.bucketMs + 0.5) * columnWidth);
  const y = (ms: number) => round(TOP + PLOT_HEIGHT * (1 - ms / top));
  const line = (name: 'p50' | 'p95', color: string, width: number) =>
    `<path class="${name}" d="${linePath(buckets, (bucket) => bucket[`${name}Ms`], x, y)}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round"/>`;
  const ms = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value)} ms`);
  const values = buckets.map((bucket) =>
    bucket.p95Ms === undefined && bucket.p50Ms === undefined
      ? options.words.noData
      : options.words.latency(ms(bucket.p50Ms), ms(bucket.p95Ms)),
  );
  const yTicks = [0, top / 2, top].map((value) => ({ y: y(value), text: `${formatMs(value)}` }));
  return chartSvg('latency-chart', buckets, options, {
    marks: new SafeHtml(line('p50', '#6B7280', 1.5) + line('p95', '#1565D8', 2)),
    yTicks,
    values,
  });
}

/** The frame both charts share: axes, ticks, the marks, and one hover target per bucket. */
function chartSvg(
  kind: string,
  buckets: readonly ChartBucket[],
  options: ChartOptions,
  parts: { marks: SafeHtml; yTicks: ReadonlyArray<{ y: number; text: string }>; values: readonly string[] },
): SafeHtml {
  const columnWidth = PLOT_WIDTH / Math.max(1, buckets.length);
  const tickEvery = tickSpacing(options.bucketMs, buckets.length);
  const axisDate = axisFormatter(options.lang, tickEvery);
  const bucketDate = bucketFormatter(options);
  const grid = parts.yTicks
    .map(
      ({ y, text }) =>
        `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${round(y)}" y2="${round(y)}"/><text x="${LEFT - 6}" y="${round(y + 4)}" text-anchor="end">${text}</text>`,
    )
    .join('');
  const xTicks = buckets
    .map((bucket, index) =>
      bucket.tMs % tickEvery === 0
        ? `<text x="${round(LEFT + index * columnWidth)}" y="${HEIGHT - 8}" text-anchor="middle">${axisDate.format(bucket.tMs)}</text>`
        : '',
    )
    .join('');
  // The hover targets carry what the readout shows; their titles say it without JavaScript.
  const targets = buckets.map((bucket, index) => {
    const when = bucketDate(bucket.tMs);
    return html`<rect x="${round(LEFT + index * columnWidth)}" y="${TOP}" width="${round(columnWidth)}" height="${PLOT_HEIGHT}" data-t="${new Date(bucket.tMs).toISOString()}" data-value="${parts.values[index] ?? ''}"><title>${when}: ${parts.values[index] ?? ''}</title></rect>`;
  });
  return html`<svg class="detail-chart ${kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${options.label}" data-bucket-ms="${options.bucketMs}" tabindex="0"><title>${options.label}</title><g class="axis" font-size="11" stroke-width="1">${new SafeHtml(grid + xTicks)}<text x="${LEFT - 6}" y="${HEIGHT - 8}" text-anchor="end">UTC</text></g>${parts.marks}<line class="cursor" x1="0" x2="0" y1="${TOP}" y2="${TOP + PLOT_HEIGHT}" visibility="hidden"/><g class="targets" fill="transparent">${targets}</g></svg>`;
}

/** Axis labels every 6 hours (24 h), at midnight (7 d), or every 15 days (90 d): a handful, never crowded. */
function tickSpacing(bucketMs: number, count: number): number {
  if (bucketMs >= DAY_MS) return 15 * DAY_MS;
  return count <= 48 ? 6 * HOUR_MS : DAY_MS;
}

/** Hours for a day's chart, dates for longer ones. */
function axisFormatter(lang: string, tickEvery: number): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(
    lang,
    tickEvery < DAY_MS
      ? { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { timeZone: 'UTC', month: 'short', day: 'numeric' },
  );
}

/** A bucket's time in words, in UTC: "10 Mar 2026, 14:00 UTC" or, for days, "10 Mar 2026". */
function bucketFormatter(options: ChartOptions): (tMs: number) => string {
  const daily = options.bucketMs >= DAY_MS;
  const format = new Intl.DateTimeFormat(options.lang, {
    timeZone: 'UTC',
    dateStyle: 'medium',
    ...(daily ? {} : { timeStyle: 'short', hourCycle: 'h23' }),
  });
  return (tMs) => (daily ? format.format(tMs) : `${format.format(tMs)} UTC`);
}

/** The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1 ms). */
function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((multiple) => multiple * power >= value) ?? 10;
  return step * power;
}

function formatMs(value: number): string {
  return value >= 1000 ? `${round(value / 1000)} s` : `${round(value)} ms`;
}
