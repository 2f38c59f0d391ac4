import type { HealthTotals } from '../../store/types.js';
import { escapeHtml, html, SafeHtml } from '../html.js';
import { PAGE_TEXTS, type PageTexts } from '../page/texts.js';
import type { DayUptime } from './uptime-days.js';

/** Vigil's badge colours, and a grey for days without data. */
export const DAY_COLORS = { healthy: '#0EB033', sick: '#F18000', dead: '#E10000', none: '#C8CDD2' } as const;
export type DayState = keyof typeof DAY_COLORS;
const DAY_STATES = Object.keys(DAY_COLORS) as DayState[];

/** A cell is 3 units wide, 1 apart: one stroke dashed this way draws a run of cells. */
const CELL = 3;
const GAP = 1;
const PITCH = CELL + GAP;
const HEIGHT = 24;
/** Consecutive days in these states read the same, so they share one element and one title. */
const MERGED: ReadonlySet<DayState> = new Set(['healthy', 'none']);

/** A day is as bad as its worst moment: any dead time makes it red, else any sick time orange. */
export function dayState(day: HealthTotals): DayState {
  if (day.deadSeconds > 0) return 'dead';
  if (day.sickSeconds > 0) return 'sick';
  return day.healthySeconds > 0 ? 'healthy' : 'none';
}

/** Share of the observed time that was not dead; null without data. Rounded down, so 99.999% is never 100%. */
export function uptimePercent(totals: HealthTotals): string | null {
  const observed = totals.healthySeconds + totals.sickSeconds + totals.deadSeconds;
  if (observed === 0) return null;
  const percent = Math.floor(((observed - totals.deadSeconds) / observed) * 10_000) / 100;
  return `${percent.toFixed(2)}%`;
}

/**
 * The 90-day bar: a cell per day, oldest on the left, coloured by `dayState`. Server-rendered SVG,
 * no script. A day with sick or dead time is an element of its own, whose tooltip gives its date,
 * worst state, uptime and sick and dead time. Consecutive fully healthy days, and consecutive days
 * without data, are one dashed stroke (still a cell per day on screen) with one tooltip naming
 * their dates: most days are such, and a cell element per day made a 1,000-node page 12 MB.
 * Stroke colours are presentation attributes, so a strict style-src CSP allows them, and each
 * state's group has a class for CSS (dark mode). The bar is one tab stop whose label is `label`,
 * a text summary, since a tab stop per day would be 90 per node; its `id` lets the page's live
 * updates keep the focus on it.
 */
export function uptimeBarSvg(
  days: readonly DayUptime[],
  label: string,
  id?: string,
  texts: PageTexts = PAGE_TEXTS.en,
): SafeHtml {
  const width = days.length * PITCH - GAP;
  // Plain strings, not `html`: a page has thousands of runs. A run holds only what is generated
  // here (numbers, ISO dates) and the locale table's words, which alone are escaped.
  const groups: Record<DayState, string> = { healthy: '', sick: '', dead: '', none: '' };
  for (const run of dayRuns(days)) {
    groups[run.state] +=
      `<path d="M${run.first * PITCH} ${HEIGHT / 2}h${run.days.length * PITCH - GAP}"><title>${escapeHtml(runTooltip(run.days, texts))}</title></path>`;
  }
  const markup = DAY_STATES.map(
    (state) => groups[state] && `<g class="day-${state}" stroke="${DAY_COLORS[state]}">${groups[state]}</g>`,
  ).join('');
  return html`<svg class="uptime-bar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" preserveAspectRatio="none" fill="none" stroke-width="${HEIGHT}" stroke-dasharray="${CELL} ${GAP}" role="img" tabindex="0"${id && html` id="${id}"`} aria-label="${label}">${new SafeHtml(markup)}</svg>`;
}

/** The days as runs that share an element: each sick or dead day alone, the others by state. */
function dayRuns(days: readonly DayUptime[]): Array<{ state: DayState; first: number; days: DayUptime[] }> {
  const runs: Array<{ state: DayState; first: number; days: DayUptime[] }> = [];
  days.forEach((day, index) => {
    const state = dayState(day);
    const last = runs.at(-1);
    if (last && last.state === state && MERGED.has(state)) last.days.push(day);
    else runs.push({ state, first: index, days: [day] });
  });
  return runs;
}

/**
 * `2026-03-02: sick, 100.00% up (sick 7 min)`; `2026-03-04: no data`;
 * `2026-03-05 – 2026-03-09 (5 days): healthy, 100.00% up`.
 */
function runTooltip(days: readonly DayUptime[], texts: PageTexts): string {
  const first = days[0];
  const last = days.at(-1);
  if (!first || !last) return '';
  const dates =
    days.length === 1
      ? isoDate(first.dayMs)
      : texts.dayRun(isoDate(first.dayMs), isoDate(last.dayMs), days.length);
  const uptime = uptimePercent(first);
  const state = dayState(first);
  if (uptime === null || state === 'none') return `${dates}: ${texts.noDataLower}`;
  return `${dates}: ${texts.dayVerdict(texts.health[state], uptime, troubleText(first, texts))}`;
}

/**
 * The bar in words, for its label: the most recent days that were not fully healthy (at most
 * `shown`) and how many days have no data.
 */
export function daysSummary(
  days: readonly DayUptime[],
  { shown = 5, texts = PAGE_TEXTS.en }: { shown?: number; texts?: PageTexts } = {},
): string {
  const troubled = days.filter((day) => day.deadSeconds + day.sickSeconds > 0).reverse();
  const missing = days.filter((day) => dayState(day) === 'none').length;
  const listed = troubled.slice(0, shown).map((day) => `${isoDate(day.dayMs)} ${troubleText(day, texts)}`);
  if (troubled.length > shown) listed.push(texts.more(troubled.length - shown));
  const parts = [
    troubled.length === 0
      ? texts.noTroubles
      : texts.troubledOn(texts.dayCount(troubled.length), listed.join(', ')),
  ];
  if (missing > 0) parts.push(texts.noDataOn(texts.dayCount(missing)));
  return parts.join('; ');
}

function troubleText(day: HealthTotals, texts: PageTexts): string {
  return [
    day.deadSeconds > 0 ? `${texts.health.dead} ${duration(day.deadSeconds, texts.dayUnit)}` : '',
    day.sickSeconds > 0 ? `${texts.health.sick} ${duration(day.sickSeconds, texts.dayUnit)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** ISO dates by day: the same 90 recur in every bar, and formatting them was most of a page's cost. */
const ISO_DATES = new Map<number, string>();
function isoDate(dayMs: number): string {
  let date = ISO_DATES.get(dayMs);
  if (date === undefined) {
    if (ISO_DATES.size >= 1000) ISO_DATES.clear();
    date = new Date(dayMs).toISOString().slice(0, 10);
    ISO_DATES.set(dayMs, date);
  }
  return date;
}

/** `30 s`, `45 min`, `2 h 5 min`, and past a day `3 d 4 h` (incidents can last that long; French says `j`). */
export function duration(seconds: number, dayUnit = 'd'): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes} min`;
  if (hours >= 24)
    return hours % 24 === 0
      ? `${hours / 24} ${dayUnit}`
      : `${Math.floor(hours / 24)} ${dayUnit} ${hours % 24} h`;
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
