import type { Uptime } from '../history/reader.js';
import type { Health } from '../model/health.js';
import { TEXT_SAFE_COLORS } from './badge-svg.js';
import { uptimePercent } from './history/uptime-bar.js';

/** What a labelled badge says, whether drawn as SVG or sent as shields.io endpoint JSON. */
export interface BadgeValue {
  label: string;
  message: string;
  /** `#rrggbb`, dark enough for white text. */
  color: string;
}

/** Uptime at or above this is green, at or above `UPTIME_SICK_BELOW` orange, below that red. */
const UPTIME_HEALTHY_FROM = 0.999;
const UPTIME_SICK_FROM = 0.99;
/** For values that are no state: grey without data (4.6:1 with white), blue for a plain measure. */
const NO_DATA_COLOR = '#6B7280';
const MEASURE_COLOR = '#1565D8';

/** The current state: `label | healthy`. */
export function statusValue(label: string, health: Health): BadgeValue {
  return { label, message: health, color: TEXT_SAFE_COLORS[health] };
}

/** Uptime over a window, as the page rounds it (down): `label | 99.95%`; `no data` in grey. */
export function uptimeValue(label: string, uptime: Uptime | undefined): BadgeValue {
  const percent = uptime && uptimePercent(uptime);
  if (!uptime || uptime.uptime === null || !percent)
    return { label, message: 'no data', color: NO_DATA_COLOR };
  const health: Health =
    uptime.uptime >= UPTIME_HEALTHY_FROM ? 'healthy' : uptime.uptime >= UPTIME_SICK_FROM ? 'sick' : 'dead';
  return { label, message: percent, color: TEXT_SAFE_COLORS[health] };
}

/** The mean of the latest latencies (one per replica that has one): `label | 42 ms`. */
export function responseTimeValue(label: string, latenciesMs: readonly number[]): BadgeValue {
  if (latenciesMs.length === 0) return { label, message: 'no data', color: NO_DATA_COLOR };
  const meanMs = latenciesMs.reduce((sum, value) => sum + value, 0) / latenciesMs.length;
  return { label, message: `${Math.round(meanMs)} ms`, color: MEASURE_COLOR };
}

/** The shields.io endpoint schema (https://shields.io/badges/endpoint-badge); colours as hex without `#`. */
export function endpointJson(value: BadgeValue) {
  return { schemaVersion: 1, label: value.label, message: value.message, color: value.color.slice(1) };
}
