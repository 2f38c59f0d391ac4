import { html, type SafeHtml } from '../html.js';
import { PAGE_TEXTS, type PageTexts } from '../page/texts.js';

/** One bucket of a latency series; no latency means no sample in that bucket. */
export interface LatencyPoint {
  tMs: number;
  p50Ms?: number;
  p95Ms?: number;
}

export interface SparklineSize {
  width: number;
  height: number;
}

const DEFAULT_SIZE: SparklineSize = { width: 120, height: 24 };

/**
 * A small latency chart: p95 as a line, p50 as a lighter one, on a shared scale from 0 to the
 * highest p95. Buckets without samples break the lines (a gap, not a drop to zero). Points are
 * placed by time between the first and the last, so missing buckets leave room.
 */
export function latencySparklineSvg(
  points: readonly LatencyPoint[],
  label: string,
  texts: PageTexts = PAGE_TEXTS.en,
  size: SparklineSize = DEFAULT_SIZE,
): SafeHtml {
  const { width, height } = size;
  const peak = latencyPeakMs(points);
  const top = Math.max(1, peak ?? 0);
  const first = points[0]?.tMs ?? 0;
  const span = Math.max(1, (points.at(-1)?.tMs ?? first) - first);
  const x = (tMs: number) => round(((tMs - first) / span) * width);
  const y = (ms: number) => round(height - 1 - (ms / top) * (height - 2));
  const path = (value: (point: LatencyPoint) => number | undefined) => linePath(points, value, x, y);
  const summary = texts.sparklineSummary(label, peak);
  return html`<svg class="latency-sparkline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${summary}"><title>${summary}</title><path class="p50" d="${path((point) => point.p50Ms)}" fill="none" stroke="#9AA5B1" stroke-width="1" stroke-linecap="round"/><path class="p95" d="${path((point) => point.p95Ms)}" fill="none" stroke="#3B82C4" stroke-width="1.5" stroke-linecap="round"/></svg>`;
}

/** The chart's top: the highest p95 (p50 where a bucket has no p95); undefined without samples. */
export function latencyPeakMs(points: readonly LatencyPoint[]): number | undefined {
  const values = points.flatMap((point) => point.p95Ms ?? point.p50Ms ?? []);
  return values.length === 0 ? undefined : Math.max(...values);
}

/** An SVG path through the points that have a value; a point without one ends the current segment. */
export function linePath(
  points: readonly LatencyPoint[],
  value: (point: LatencyPoint) => number | undefined,
  x: (tMs: number) => number,
  y: (ms: number) => number,
): string {
  const commands: string[] = [];
  let segmentLength = 0;
  const endSegment = () => {
    // A lone point would draw nothing: a zero-length line with round caps shows it as a dot.
    if (segmentLength === 1) commands.push('h0');
    segmentLength = 0;
  };
  for (const point of points) {
    const ms = value(point);
    if (ms === undefined) {
      endSegment();
      continue;
    }
    commands.push(`${segmentLength > 0 ? 'L' : 'M'}${x(point.tMs)} ${y(ms)}`);
    segmentLength++;
  }
  endSegment();
  return commands.join('');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
