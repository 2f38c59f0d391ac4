import { FEED_ENTRIES_MAX } from '../feed/atom.js';
import { collectEntries, type FeedEntry, type FeedSource, onAnyChange } from '../feed/entry.js';
import { SerialQueue } from '../store/serial.js';
import type { PublishedEntryRepository } from '../store/types.js';
import type { Clock } from '../time/clock.js';

/** Marks a store whose entries were taken as known, so its first start tells nobody about the past. */
const BASELINE_KEY = 'vigil:baseline';

/** An entry changed longer ago than this is old news when first seen (a backlog after long downtime). */
const NEWS_MAX_AGE_MS = 24 * 3_600_000;

export interface PublisherOptions {
  sources: readonly FeedSource[];
  published: PublishedEntryRepository;
  clock: Clock;
  /** How often the sources are read; a source's change notice (an announcement posted) reads them at once. */
  intervalMs: number;
  /** Tells the subscribers; new entries oldest first. */
  deliver: (entries: readonly FeedEntry[], signal: AbortSignal) => Promise<void>;
  onError: (error: unknown) => void;
}

/**
 * Finds feed entries (new ones, and each change of one: an update, a resolution) that subscribers
 * were not told of, claims them in the store and hands them to `deliver`. An entry is claimed
 * before it is delivered: after a crash it may be missed, never sent twice, and of several
 * instances sharing a database only the claimer sends it.
 */
export class FeedPublisher {
  private readonly checks = new SerialQueue();
  private readonly stopping = new AbortController();
  private timer: ReturnType<Clock['setTimeout']> | undefined;
  private stopListening: (() => void) | undefined;
  private readonly deliveries = new Set<Promise<void>>();

  constructor(private readonly options: PublisherOptions) {}

  /** Takes what the store holds as known on its first start, then checks every interval. */
  async start(): Promise<void> {
    const { published, clock } = this.options;
    if (!(await published.has(BASELINE_KEY))) {
      const entries = await collectEntries(this.options.sources, FEED_ENTRIES_MAX);
      await published.claim([BASELINE_KEY, ...entries.map(entryKey)], clock.now());
    }
    this.stopListening = onAnyChange(this.options.sources, () => void this.trigger());
    this.schedule();
  }

  /** Reads the sources now (in turn with running checks). */
  trigger(): Promise<void> {
    return this.checks.run(() => this.check()).catch(this.options.onError);
  }

  /** Stops checking and retrying; waits for the attempts under way. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.stopListening?.();
    this.stopping.abort();
    await this.checks.idle();
    await Promise.allSettled(this.deliveries);
  }

  private schedule(): void {
    if (this.stopping.signal.aborted) return;
    this.timer = this.options.clock.setTimeout(() => {
      void this.trigger().then(() => this.schedule());
    }, this.options.intervalMs);
  }

  private async check(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const { sources, published, clock } = this.options;
    const nowMs = clock.now();
    const entries = await collectEntries(sources, FEED_ENTRIES_MAX);
    const claimed = await published.claim(entries.map(entryKey), nowMs);
    const fresh = entries
      .filter(
        (entry) =>
          claimed.has(entryKey(entry)) && entry.updatedMs > nowMs - NEWS_MAX_AGE_MS && entry.quiet !== true,
      )
      .reverse();
    if (fresh.length === 0) return;
    // Not awaited: slow mail servers and retries must not hold up the next check.
    const delivery = this.options
      .deliver(fresh, this.stopping.signal)
      .catch(this.options.onError)
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }
}

/** An entry as of one change. */
export function entryKey(entry: FeedEntry): string {
  return `${entry.id}@${entry.updatedMs}`;
}
