import type { Clock, TimerHandle } from '../../time/clock.js';
import { compressed, PAGE_BROTLI_QUALITY, prepareIdentity, type Representation } from '../representation.js';
import { VERSION_SLOT } from './render.js';

export interface RenderedPage extends Representation {
  /** Changes whenever the bytes do; the ETag is this version, quoted. */
  readonly version: string;
}

/** Subscribes to something that changes what the page shows; returns the unsubscribe function. */
export type ChangeSource = (onChange: () => void) => () => void;

export interface PageCacheOptions {
  /** Produces the page with `VERSION_SLOT` in it. */
  render: () => string;
  sources: readonly ChangeSource[];
  clock: Clock;
  /**
   * The shortest time between two renders. A burst of changes inside it renders once, and no
   * visitor ever sees a page older than this (or than the cost bound below). 0 renders on every
   * request after a change, for tests.
   */
  intervalMs: number;
  /** A page older than this is rendered again on request, even unchanged (its "refreshed" time). */
  maxAgeMs?: number;
}

/** Renders take at most 1/this of a core: a page that costs 80 ms renders at most every 400 ms. */
const RENDER_COST_FACTOR = 5;

/**
 * The status page rendered once per state change and served from memory. A change marks the page
 * stale and schedules a render; a request may render earlier once `intervalMs` has passed since
 * the last one. Listeners hear about each new version (the live feed).
 */
export class PageCache {
  private page: RenderedPage;
  private lastHtml = '';
  private renderCount = 0;
  private lastRenderMs = Number.NEGATIVE_INFINITY;
  private lastRenderCostMs = 0;
  private stale = false;
  private timer: TimerHandle | undefined;
  private readonly listeners = new Set<(page: RenderedPage) => void>();
  private readonly unsubscribes: Array<() => void>;
  /** Keeps versions unique across restarts, so a browser's cached ETag never matches a new process's page. */
  private readonly bootId: string;
  /** The last rendered page while its compressed forms are being made. */
  private compressing: { plain: RenderedPage; done: Promise<RenderedPage> } | undefined;

  constructor(private readonly options: PageCacheOptions) {
    this.bootId = options.clock.now().toString(36);
    this.page = this.render();
    this.unsubscribes = options.sources.map((source) => source(() => this.invalidate()));
  }

  /**
   * The current page with its compressed forms: after a render they are made on the thread pool,
   * so the loop is not held while they are, and a request waits for them instead.
   */
  async compressedCurrent(): Promise<RenderedPage> {
    const page = this.current();
    if (page !== this.compressing?.plain) return page;
    const done = await this.compressing.done;
    return this.page === page ? done : this.page;
  }

  current(): RenderedPage {
    const ageMs = this.options.clock.now() - this.lastRenderMs;
    const { maxAgeMs = Number.POSITIVE_INFINITY } = this.options;
    if ((this.stale && ageMs >= this.gapMs()) || ageMs >= Math.max(maxAgeMs, this.gapMs())) this.refresh();
    return this.page;
  }

  onChange(listener: (page: RenderedPage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private invalidate(): void {
    this.stale = true;
    if (this.timer !== undefined) return;
    // A full gap from the first change, so the changes of a burst render together.
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stale) this.refresh();
    }, this.gapMs());
  }

  private gapMs(): number {
    const { intervalMs } = this.options;
    return intervalMs === 0 ? 0 : Math.max(intervalMs, this.lastRenderCostMs * RENDER_COST_FACTOR);
  }

  private refresh(): void {
    const previous = this.page;
    this.page = this.render();
    if (this.page !== previous) for (const listener of this.listeners) listener(this.page);
  }

  /** Renders, and times it to bound the next gap. */
  private render(): RenderedPage {
    this.stale = false;
    this.lastRenderMs = this.options.clock.now();
    // CPU time, not the injected clock: this is about what rendering costs this machine.
    const started = performance.now();
    try {
      return this.build(this.options.render());
    } finally {
      this.lastRenderCostMs = performance.now() - started;
    }
  }

  /** The page for this output: the current object when the bytes are the same, else a new version. */
  private build(html: string): RenderedPage {
    if (html === this.lastHtml) return this.page;
    this.lastHtml = html;
    this.renderCount += 1;
    const version = `${this.bootId}-${this.renderCount}`;
    const plain: RenderedPage = {
      ...prepareIdentity(html.replace(VERSION_SLOT, version), {
        contentType: 'text/html; charset=utf-8',
        etag: `"${version}"`,
      }),
      version,
    };
    // Should compression ever fail, the page is served as it is.
    const done = compressed(plain, PAGE_BROTLI_QUALITY)
      .catch(() => plain)
      .then((page) => {
        // Swapped in only while still current: a newer render has its own.
        if (this.page === plain) this.page = page;
        if (this.compressing?.plain === plain) this.compressing = undefined;
        return page;
      });
    this.compressing = { plain, done };
    return plain;
  }
}
