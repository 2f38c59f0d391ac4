import { createHash } from 'node:crypto';

/** What the feed and the subscriptions tell readers about. */
export const ENTRY_KINDS = ['announcement', 'incident', 'maintenance'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** One item of the feed: an announcement, an incident with its updates, a maintenance window. */
export interface FeedEntry {
  /** Stable across renders and restarts: `urn:uuid:…` (see `entryId`). */
  id: string;
  kind: EntryKind;
  title: string;
  /** Plain text; may span lines. Escaped wherever it is written. */
  text: string;
  publishedMs: number;
  /** Changes whenever the entry does (an update, a resolution): subscribers hear of each change. */
  updatedMs: number;
  /** Where a reader sees it, relative to the page URL; the page itself when absent. */
  path?: string;
  /**
   * Listed in the feed, but no mail or webhook is sent for it: one node's automatic incident, which
   * the page's own incident for the same outage already announces (a flapping node mails nobody).
   */
  quiet?: true;
}

/**
 * Where entries come from. Each source answers its newest entries (at most `limit`), so a new kind
 * (manager incidents with updates, maintenance windows) is one more source in the list.
 */
export interface FeedSource {
  entries(limit: number): Promise<readonly FeedEntry[]>;
  /** Sources that know when they change say so: the feed rebuilds and subscribers hear at once. */
  onChange?(listener: () => void): () => void;
}

/** Calls `listener` on a change of any source that reports changes; returns the unsubscribe. */
export function onAnyChange(sources: readonly FeedSource[], listener: () => void): () => void {
  const stops = sources.map((source) => source.onChange?.(listener));
  return () => {
    for (const stop of stops) stop?.();
  };
}

/** The newest entries over every source, newest change first. */
export async function collectEntries(sources: readonly FeedSource[], limit: number): Promise<FeedEntry[]> {
  const lists = await Promise.all(sources.map((source) => source.entries(limit)));
  return lists
    .flat()
    .sort((a, b) => b.updatedMs - a.updatedMs || a.id.localeCompare(b.id))
    .slice(0, limit);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An entry's Atom id: its own UUID as `urn:uuid:`, else a name-based UUID (RFC 9562 version 5
 * layout over SHA-1) of kind and id, so the same record always gets the same id.
 */
export function entryId(kind: string, id: string): string {
  return UUID.test(id) ? `urn:uuid:${id.toLowerCase()}` : nameBasedUrn(`${kind}:${id}`);
}

/** `urn:uuid:` of a name-based UUID: stable for the same name, different for different names. */
export function nameBasedUrn(name: string): string {
  const bytes = createHash('sha1').update(`vigil-ts:${name}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
