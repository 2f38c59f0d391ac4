import { randomUUID } from 'node:crypto';
import { SerialQueue } from '../store/serial.js';
import type { MaintenanceRepository } from '../store/types.js';
import { type Clock, setLongTimeout } from '../time/clock.js';
import {
  MAINTENANCE_WINDOWS_MAX,
  MaintenanceFullError,
  type MaintenanceView,
  type MaintenanceWindow,
  type PastMaintenanceCursor,
  phaseOf,
} from './types.js';

export type NewMaintenanceWindow = Omit<MaintenanceWindow, 'id' | 'createdAtMs'>;

/**
 * The maintenance windows, durable: written through to the store before a change is acknowledged,
 * kept in memory for the hot paths (a node's check runs on every model change). One timer, at the
 * next start or end, recomputes who is under maintenance and tells the listeners, so consumers
 * re-judge a node exactly when its window opens or closes.
 */
export class MaintenanceSchedule implements MaintenanceView {
  private readonly listeners = new Set<() => void>();
  private readonly writes = new SerialQueue();
  private cancelTimer: (() => void) | undefined;
  private activeWindows: MaintenanceWindow[] = [];
  private upcomingWindows: MaintenanceWindow[] = [];
  private coveredServices = new Set<string>();
  private coveredNodes = new Set<string>();

  private constructor(
    private readonly repository: MaintenanceRepository,
    private readonly clock: Clock,
    /** Windows not over at the last refresh, earliest start first. */
    private windows: MaintenanceWindow[],
  ) {
    this.refresh();
  }

  /** Reads the windows that are not over yet; ended ones stay in the store, for `past`. */
  static async load(repository: MaintenanceRepository, clock: Clock): Promise<MaintenanceSchedule> {
    return new MaintenanceSchedule(repository, clock, await repository.listCurrent(clock.now()));
  }

  active(): readonly MaintenanceWindow[] {
    return this.activeWindows;
  }

  upcoming(): readonly MaintenanceWindow[] {
    return this.upcomingWindows;
  }

  past(query: { limit: number; before?: PastMaintenanceCursor }): Promise<MaintenanceWindow[]> {
    return this.repository.listPast({ ...query, nowMs: this.clock.now() });
  }

  isUnderMaintenance(serviceId: string, nodeId: string): boolean {
    if (this.coveredServices.size === 0 && this.coveredNodes.size === 0) return false;
    return this.coveredServices.has(serviceId) || this.coveredNodes.has(`${serviceId}:${nodeId}`);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the window is stored; rejects with MaintenanceFullError past MAINTENANCE_WINDOWS_MAX. */
  add(fields: NewMaintenanceWindow): Promise<MaintenanceWindow> {
    return this.writes.run(async () => {
      // Checked in the queue, so concurrent adds cannot overshoot the bound.
      const current = this.windows.filter((each) => phaseOf(each, this.clock.now()) !== 'past');
      if (current.length >= MAINTENANCE_WINDOWS_MAX) throw new MaintenanceFullError();
      const window: MaintenanceWindow = {
        id: randomUUID(),
        ...fields,
        services: [...fields.services],
        nodes: [...fields.nodes],
        createdAtMs: this.clock.now(),
      };
      await this.repository.insert(window);
      this.windows = [...this.windows, window].sort(byStart);
      this.changed();
      return window;
    });
  }

  /**
   * Replaces the fields of a window in progress or upcoming (same id); undefined for an unknown or
   * ended one. Moving a window's end to now or earlier ends it, as deleting would, but keeps it.
   */
  update(id: string, fields: NewMaintenanceWindow): Promise<MaintenanceWindow | undefined> {
    return this.writes.run(async () => {
      const current = this.windows.find((window) => window.id === id);
      if (current === undefined || phaseOf(current, this.clock.now()) === 'past') return undefined;
      const window: MaintenanceWindow = {
        ...current,
        ...fields,
        services: [...fields.services],
        nodes: [...fields.nodes],
      };
      if (!(await this.repository.update(window))) return undefined;
      this.windows = this.windows.map((each) => (each.id === id ? window : each)).sort(byStart);
      this.changed();
      return window;
    });
  }

  /** Deletes a window, ended ones included; a window in progress ends at once. False for an unknown id. */
  remove(id: string): Promise<boolean> {
    return this.writes.run(async () => {
      if (!(await this.repository.remove(id))) return false;
      const before = this.windows.length;
      this.windows = this.windows.filter((window) => window.id !== id);
      if (this.windows.length !== before) this.changed();
      return true;
    });
  }

  /** Cancels the boundary timer and waits for pending writes. */
  async stop(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.writes.idle();
  }

  private changed(): void {
    this.refresh();
    for (const listener of this.listeners) listener();
  }

  /** Sorts the windows by phase as of now and arms the timer for the next boundary. */
  private refresh(): void {
    const nowMs = this.clock.now();
    this.windows = this.windows.filter((window) => phaseOf(window, nowMs) !== 'past');
    this.activeWindows = this.windows.filter((window) => phaseOf(window, nowMs) === 'active');
    this.upcomingWindows = this.windows.filter((window) => phaseOf(window, nowMs) === 'upcoming');
    this.coveredServices = new Set(this.activeWindows.flatMap((window) => window.services));
    this.coveredNodes = new Set(this.activeWindows.flatMap((window) => window.nodes));
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const next = Math.min(
      ...this.windows.map((window) => (window.startsAtMs > nowMs ? window.startsAtMs : window.endsAtMs)),
    );
    if (next === Number.POSITIVE_INFINITY) return;
    this.cancelTimer = setLongTimeout(this.clock, () => this.changed(), next - nowMs);
  }
}

function byStart(a: MaintenanceWindow, b: MaintenanceWindow): number {
  return a.startsAtMs - b.startsAtMs || a.createdAtMs - b.createdAtMs;
}
