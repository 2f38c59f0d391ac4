import { randomUUID } from 'node:crypto';
import { type Clock, setLongTimeout, systemClock } from '../time/clock.js';
import {
  ANNOUNCEMENTS_MAX,
  type Announcement,
  type AnnouncementSource,
  AnnouncementsFullError,
} from './types.js';

export type NewAnnouncement = Pick<Announcement, 'title' | 'text' | 'severity' | 'expiresAtMs'>;

/**
 * Announcements kept in memory, as Vigil keeps them (spec §8), plus expiry: an expired announcement
 * leaves the list, and listeners hear about it when it happens so the page re-renders by itself.
 */
export class MemoryAnnouncementStore implements AnnouncementSource {
  private announcements: Announcement[] = [];
  private readonly listeners = new Set<() => void>();
  private cancelExpiryTimer: (() => void) | undefined;

  constructor(private readonly clock: Clock = systemClock) {}

  /** Current announcements, oldest first. */
  list(): readonly Announcement[] {
    const now = this.clock.now();
    return this.announcements.filter((announcement) => !isExpired(announcement, now));
  }

  /** Throws AnnouncementsFullError when ANNOUNCEMENTS_MAX are current. */
  add(fields: NewAnnouncement): Announcement {
    if (this.list().length >= ANNOUNCEMENTS_MAX) throw new AnnouncementsFullError();
    const announcement: Announcement = {
      id: randomUUID(),
      atMs: this.clock.now(),
      ...withoutUndefined(fields),
    };
    this.announcements.push(announcement);
    this.changed();
    return announcement;
  }

  /** Replaces the fields of a current announcement, keeping its id and publication time; undefined when there is none. */
  update(id: string, fields: NewAnnouncement): Announcement | undefined {
    const current = this.list().find((announcement) => announcement.id === id);
    if (current === undefined) return undefined;
    const updated = editedAnnouncement(current, fields);
    this.announcements = this.list().map((announcement) => (announcement.id === id ? updated : announcement));
    this.changed();
    return updated;
  }

  /** False when no current announcement has this id. */
  remove(id: string): boolean {
    const before = this.announcements.length;
    this.announcements = this.announcements.filter((announcement) => announcement.id !== id);
    if (this.announcements.length === before) return false;
    this.changed();
    return true;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels the expiry timer; the store keeps its content. */
  stop(): void {
    this.cancelExpiryTimer?.();
    this.cancelExpiryTimer = undefined;
  }

  private changed(): void {
    this.purgeExpired();
    this.armExpiryTimer();
    for (const listener of this.listeners) listener();
  }

  private purgeExpired(): void {
    const now = this.clock.now();
    this.announcements = this.announcements.filter((announcement) => !isExpired(announcement, now));
  }

  /** One timer, for the next expiry only: it fires, notifies, and arms the one after. */
  private armExpiryTimer(): void {
    this.stop();
    const next = Math.min(...this.announcements.map((each) => each.expiresAtMs ?? Number.POSITIVE_INFINITY));
    if (next === Number.POSITIVE_INFINITY) return;
    this.cancelExpiryTimer = setLongTimeout(
      this.clock,
      () => {
        this.cancelExpiryTimer = undefined;
        this.changed();
      },
      next - this.clock.now(),
    );
  }
}

export function isExpired(announcement: Announcement, now: number): boolean {
  return announcement.expiresAtMs !== undefined && announcement.expiresAtMs <= now;
}

/** The announcement with new fields: same id and publication time, so it keeps its place in the list. */
export function editedAnnouncement(current: Announcement, fields: NewAnnouncement): Announcement {
  return { id: current.id, atMs: current.atMs, ...withoutUndefined(fields) };
}

/** Keeps optional keys absent rather than present-and-undefined, so records compare and serialise cleanly. */
export function withoutUndefined(fields: NewAnnouncement): NewAnnouncement {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as unknown as NewAnnouncement;
}
