/** A message the operator publishes on the page through the manager API (spec §8). */
export interface Announcement {
  /** UUID v4, lowercase hyphenated. */
  id: string;
  title: string;
  /** May span lines; rendered escaped with line breaks. */
  text: string;
  /** When it was published. */
  atMs: number;
  /** Extension: how prominent it is on the page. */
  severity?: 'info' | 'warning' | 'critical';
  /** Extension: it leaves the page (and the list) at this time. */
  expiresAtMs?: number;
}

/** Read side of the announcements, for the page: current ones, oldest first, and change notices. */
export interface AnnouncementSource {
  list(): readonly Announcement[];
  onChange(listener: () => void): () => void;
}

/** Current announcements a store holds at most: a status page is not a blog, and each one is rendered. */
export const ANNOUNCEMENTS_MAX = 100;

/** Thrown by `add` when ANNOUNCEMENTS_MAX are current: one must go (or expire) first. */
export class AnnouncementsFullError extends Error {
  constructor() {
    super(`there are already ${ANNOUNCEMENTS_MAX} announcements, the most allowed: delete one first`);
    this.name = 'AnnouncementsFullError';
  }
}
