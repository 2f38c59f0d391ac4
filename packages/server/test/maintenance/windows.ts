import type { NewMaintenanceWindow } from '../../src/maintenance/schedule.js';
import type { Clock } from '../../src/time/clock.js';

/** A window starting `startInMs` from the clock's now and lasting `lengthMs`, over `nodes`. */
export function windowAt(
  clock: Clock,
  startInMs: number,
  lengthMs: number,
  nodes = ['web:app'],
): NewMaintenanceWindow {
  const startsAtMs = clock.now() + startInMs;
  return {
    title: 'Database move',
    text: 'Line one\nline two',
    startsAtMs,
    endsAtMs: startsAtMs + lengthMs,
    services: [],
    nodes,
  };
}
