import type { HealthTotals, RollupRow } from '../../store/types.js';

const DAY_MS = 86_400_000;

/** One day of a node's history, as the uptime bar shows it. */
export interface DayUptime extends HealthTotals {
  /** Midnight UTC starting the day. */
  dayMs: number;
}

/** What the bar needs of a day's row; a figure left out counts as zero. */
export type DayFigures = Pick<RollupRow, 'bucketMs'> &
  Partial<Pick<RollupRow, 'healthySeconds' | 'sickSeconds' | 'deadSeconds'>>;

/**
 * The last `days` days up to the one holding `nowMs`, oldest first, from stored day rows: a day
 * without a row has zero seconds in every state, which the bar draws as "no data".
 */
export function uptimeDays(rows: readonly DayFigures[], nowMs: number, days = 90): DayUptime[] {
  const byDay = new Map(rows.map((row) => [row.bucketMs, row]));
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, index) => {
    const dayMs = today - (days - 1 - index) * DAY_MS;
    const row = byDay.get(dayMs);
    return {
      dayMs,
      healthySeconds: row?.healthySeconds ?? 0,
      sickSeconds: row?.sickSeconds ?? 0,
      deadSeconds: row?.deadSeconds ?? 0,
    };
  });
}
