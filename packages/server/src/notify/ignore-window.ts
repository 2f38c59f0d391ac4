import type { Clock } from '../time/clock.js';

/**
 * The manager API's reminder-ignore window (spec §2.5 routes 5 and 6): while it lasts, reminders
 * wait; status changes are still told. The dispatcher listens so it can re-arm its reminder timers.
 */
export class ReminderIgnoreWindow {
  private endMs: number | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  /** When the window ends, or undefined when none is set or it has ended. */
  get untilMs(): number | undefined {
    return this.endMs !== undefined && this.clock.now() < this.endMs ? this.endMs : undefined;
  }

  /** Whole seconds left, or null: what `GET /manager/prober/alerts/ignored/` answers. */
  secondsLeft(): number | null {
    const until = this.untilMs;
    return until === undefined ? null : Math.floor((until - this.clock.now()) / 1000);
  }

  /** `PUT /manager/prober/alerts/ignored/`: a window from now, or none for null. */
  set(seconds: number | null): void {
    this.endMs = seconds === null ? undefined : this.clock.now() + seconds * 1000;
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
