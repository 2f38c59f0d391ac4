import { randomUUID } from 'node:crypto';
import { SerialQueue } from '../store/serial.js';
import type { AnnouncementRepository } from '../store/types.js';
import { type Clock, setLongTimeout } from '../time/clock.js';
import { editedAnnouncement, isExpired, type NewAnnouncement, withoutUndefined } from './memory.js';
import {
  ANNOUNCEMENTS_MAX,
  type Announcement,
  type AnnouncementSource,
  AnnouncementsFullError,
} from './types.js';

/**
 * Announcements that survive restarts: kept in memory for the page (reads never touch the database),
 * written through to the store before a change is acknowledged. Expired ones leave the list, and
 * listeners hear about it when it happens.
 */
export class DurableAnnouncements implements AnnouncementSource {
  private readonly listeners = new Set<() => void>();
  private readonly writes = new SerialQueue();
  private cancelExpiryTimer: (() => void) | undefined;

  private constructor(
    private readonly repository: AnnouncementRepository,
    private readonly clock: Clock,
    private announcements: Announcement[],
  ) {
    this.armExpiryTimer();
  }

  /** Reads what the store holds, dropping what expired while Vigil TS was down. */
  static async load(repository: AnnouncementRepository, clock: Clock): Promise<DurableAnnouncements> {
    await repository.removeExpired(clock.now());
    return new DurableAnnouncements(repository, clock, await repository.list());
  }

  /** Current announcements, oldest first. */
  list(): readonly Announcement[] {
    const now = this.clock.now();
    return this.announcements.filter((announcement) => !isExpired(announcement, now));
  }

  /** Resolves once the announcement is stored; rejects with AnnouncementsFullError when ANNOUNCEMENTS_MAX are current. */
  add(fields: NewAnnouncement): Promise<Announcement> {
    return this.writes.run(async () => {
      // Checked in the queue, so concurrent adds cannot overshoot the bound.
      if (this.list().length >= ANNOUNCEMENTS_MAX) throw new AnnouncementsFullError();
      const announcement: Announcement = {
        id: randomUUID(),
        atMs: this.clock.now(),
        ...withoutUndefined(fields),
      };
      await this.repository.insert(announcement);
      this.announcements.push(announcement);
      this.changed();
      return announcement;
    });
  }

  /** Resolves once the new fields are stored; undefined when no current announcement has this id. */
  update(id: string, fields: NewAnnouncement): Promise<Announcement | undefined> {
    return this.writes.run(async () => {
      const current = this.list().find((announcement) => announcement.id === id);
      if (current === undefined) return undefined;
      const updated = editedAnnouncement(current, fields);
      if (!(await this.repository.update(updated))) return undefined;
      this.announcements = this.announcements.map((announcement) =>
        announcement.id === id ? updated : announcement,
      );
      this.changed();
      return updated;
    });
  }

  /** False when no current announcement has this id. */
  remove(id: string): Promise<boolean> {
    return this.writes.run(async () => {
      if (!this.list().some((announcement) => announcement.id === id)) return false;
      await this.repository.remove(id);
      this.announcements = this.announcements.filter((announcement) => announcement.id !== id);
      this.changed();
      return true;
    });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels the expiry timer and waits for pending writes. */
  async stop(): Promise<void> {
    this.cancelExpiryTimer?.();
    this.cancelExpiryTimer = undefined;
    await this.writes.idle();
  }

  private changed(): void {
    this.announcements = [...this.list()];
    this.armExpiryTimer();
    for (const listener of this.listeners) listener();
  }

  /** One timer, for the next expiry only; expired rows are deleted from the store at the next start. */
  private armExpiryTimer(): void {
    this.cancelExpiryTimer?.();
    this.cancelExpiryTimer = undefined;
    const next = Math.min(...this.announcements.map((each) => each.expiresAtMs ?? Number.POSITIVE_INFINITY));
    if (next === Number.POSITIVE_INFINITY) return;
    this.cancelExpiryTimer = setLongTimeout(this.clock, () => this.changed(), next - this.clock.now());
  }
}
