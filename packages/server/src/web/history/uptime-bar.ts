import type { HealthTotals } from '../../store/types.js';
import { html, type SafeHtml } from '../html.js';
import type { DayUptime } from './uptime-days.js';

/** Vigil's badge colours, and a grey for days without data. */
export const DAY_COLORS = { healthy: '#0EB033', sick: '#F18000', dead: '#E10000', none: '#C8CDD2' } as const;
export type DayState = keyof typeof DAY_COLORS;

const BAR_WIDTH = 3;
const BAR_GAP = 1;
const HEIGHT = 24;

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
 * The 90-day bar: one rectangle per day, oldest on the left, coloured by `dayState`, each with a
 * tooltip (date, uptime, and sick or dead time). Server-rendered SVG, no script; `fill` is a
 * presentation attribute, so a strict style-src CSP allows it, and `class` lets CSS restyle it.
 */
export function uptimeBarSvg(days: readonly DayUptime[], label: string): SafeHtml {
  const width = days.length * (BAR_WIDTH + BAR_GAP) - BAR_GAP;
  const bars = days.map((day, index) => {
    const state = dayState(day);
    return html`<rect class="day day-${state}" x="${index * (BAR_WIDTH + BAR_GAP)}" y="0" width="${BAR_WIDTH}" height="${HEIGHT}" rx="1" fill="${DAY_COLORS[state]}"><title>${dayTooltip(day)}</title></rect>`;
  });
  return html`<svg class="uptime-bar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${label}">${bars}</svg>`;
}

function dayTooltip(day: DayUptime): string {
  const date = new Date(day.dayMs).toISOString().slice(0, 10);
  const uptime = uptimePercent(day);
  if (uptime === null) return `${date}: no data`;
  const incidents = [
    day.deadSeconds > 0 ? `dead ${duration(day.deadSeconds)}` : '',
    day.sickSeconds > 0 ? `sick ${duration(day.sickSeconds)}` : '',
  ].filter(Boolean);
  return `${date}: ${uptime} up${incidents.length > 0 ? ` (${incidents.join(', ')})` : ''}`;
}

/** `2 h 5 min`, `45 min`, `30 s`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes} min`;
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
