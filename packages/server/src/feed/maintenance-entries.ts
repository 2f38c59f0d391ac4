import { type MaintenanceView, type MaintenanceWindow, phaseOf } from '../maintenance/types.js';
import type { Clock } from '../time/clock.js';
import { entryId, type FeedEntry, type FeedSource } from './entry.js';

const PHASE_LABEL = {
  upcoming: 'Scheduled maintenance',
  active: 'Maintenance in progress',
  past: 'Maintenance completed',
} as const;

/**
 * Maintenance windows: announced when scheduled, changed when they start and when they end (the
 * schedule tells its listeners at each boundary).
 */
export function maintenanceEntries(maintenance: MaintenanceView, clock: Clock): FeedSource {
  return {
    async entries(limit) {
      const nowMs = clock.now();
      const past = await maintenance.past({ limit });
      return [...maintenance.active(), ...maintenance.upcoming(), ...past].map((window) =>
        maintenanceEntry(window, nowMs),
      );
    },
    onChange: (listener) => maintenance.onChange(listener),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function maintenanceEntry(window: MaintenanceWindow, nowMs: number): FeedEntry {
  const phase = phaseOf(window, nowMs);
  const boundaryMs = { upcoming: window.createdAtMs, active: window.startsAtMs, past: window.endsAtMs }[
    phase
  ];
  return {
    id: entryId('maintenance', window.id),
    kind: 'maintenance',
    title: `${PHASE_LABEL[phase]}: ${window.title}`,
    text: `From ${iso(window.startsAtMs)} to ${iso(window.endsAtMs)}.\n\n${window.text}`,
    publishedMs: window.createdAtMs,
    updatedMs: Math.max(window.createdAtMs, boundaryMs),
  };
}
