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
  /**
   * Does up to about `budgetMs` of the next render's work ahead of it; true once nothing is left but
   * `render` itself. Scheduled renders run it in slices, one turn of the event loop each, so a
   * large page never holds the loop long; without it a render is one piece.
   */
  prepare?: (budgetMs: number) => boolean;
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
 * What a render cost this machine: in all, and its longest hold of the event loop, in real time and
 * in the process's CPU time (which a busy machine taking the CPU away does not inflate, but which
 * counts other threads working meanwhile, such as a compression).
 */
export interface RenderCost {
  totalMs: number;
  longestSliceMs: number;
  longestSliceCpuMs: number;
}

const noCost = (): RenderCost => ({ totalMs: 0, longestSliceMs: 0, longestSliceCpuMs: 0 });

/** Runs one slice of a render, adding what it cost to `cost`. */
function timedSlice(work: () => boolean, cost: RenderCost): boolean {
  // Real time, not the injected clock: this is about what rendering costs this machine.
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  try {
    return work();
  } finally {
    const spentMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    cost.totalMs += spentMs;
    cost.longestSliceMs = Math.max(cost.longestSliceMs, spentMs);
    cost.longestSliceCpuMs = Math.max(cost.longestSliceCpuMs, (cpu.user + cpu.system) / 1000);
  }
}

/** The work of one slice of a scheduled render: well under the 20 ms a turn of the loop may take. */
export const RENDER_SLICE_MS = 5;

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
  private stale = false;
  private timer: TimerHandle | undefined;
  private readonly listeners = new Set<(page: RenderedPage) => void>();
  private readonly unsubscribes: Array<() => void>;
  /** Keeps versions unique across restarts, so a browser's cached ETag never matches a new process's page. */
  private readonly bootId: string;
  /** The last rendered page while its compressed forms are being made. */
  private compressing: { plain: RenderedPage; done: Promise<RenderedPage> } | undefined;
  /** A render spread over turns of the loop, while it runs. */
  private slicedRender: Promise<void> | undefined;
  private closed = false;
  private lastCost = noCost();

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
    // A render under way is newer than the page: wait for it rather than serve the older one.
    if (this.slicedRender || this.due()) await this.renderInSlices();
    const page = this.page;
    if (page !== this.compressing?.plain) return page;
    const done = await this.compressing.done;
    return this.page === page ? done : this.page;
  }

  /** The current page, rendered at once (in one piece) when it is due. */
  current(): RenderedPage {
    if (this.due()) this.refresh();
    return this.page;
  }

  /** What the last render cost this machine. */
  lastRenderCost(): RenderCost {
    return { ...this.lastCost };
  }

  /** The last page rendered, never rendering: for what only needs its version. */
  latest(): RenderedPage {
    return this.page;
  }

  /** Whether a request should get a new render: stale past the gap, or older than `maxAgeMs`. */
  private due(): boolean {
    const ageMs = this.options.clock.now() - this.lastRenderMs;
    const { maxAgeMs = Number.POSITIVE_INFINITY } = this.options;
    return (this.stale && ageMs >= this.gapMs()) || ageMs >= Math.max(maxAgeMs, this.gapMs());
  }

  onChange(listener: (page: RenderedPage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
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
      if (this.stale) void this.renderInSlices();
    }, this.gapMs());
  }

  /**
   * Renders with the preparatory work spread over turns of the event loop (`prepare`), then the
   * render itself in the last one. Changes during it leave the page stale for the next render; a
   * render already under way is the one awaited.
   */
  private renderInSlices(): Promise<void> {
    if (this.slicedRender) return this.slicedRender;
    this.stale = false;
    this.lastRenderMs = this.options.clock.now();
    const cost = noCost();
    const slice = (work: () => boolean): boolean => timedSlice(work, cost);
    const { prepare } = this.options;
    const prepared = () => prepare === undefined || prepare(RENDER_SLICE_MS);
    const finish = () => {
      slice(() => {
        this.publish(this.build(this.options.render()));
        return true;
      });
      this.lastCost = cost;
    };
    if (slice(prepared)) {
      finish();
      return Promise.resolve();
    }
    const rendering = (async () => {
      do {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.closed) return;
      } while (!slice(prepared));
      finish();
    })();
    this.slicedRender = rendering.finally(() => {
      this.slicedRender = undefined;
      // Changes that came while it ran render next.
      if (this.stale && !this.closed) this.invalidate();
    });
    return this.slicedRender;
  }

  private gapMs(): number {
    const { intervalMs } = this.options;
    return intervalMs === 0 ? 0 : Math.max(intervalMs, this.lastCost.totalMs * RENDER_COST_FACTOR);
  }

  private refresh(): void {
    this.publish(this.render());
  }

  /** Makes `page` current and tells the listeners when it is a new version. */
  private publish(page: RenderedPage): void {
    const previous = this.page;
    this.page = page;
    if (page !== previous) for (const listener of this.listeners) listener(page);
  }

  /** Renders in one piece, and times it to bound the next gap. */
  private render(): RenderedPage {
    this.stale = false;
    this.lastRenderMs = this.options.clock.now();
    const cost = noCost();
    let page = this.page;
    timedSlice(() => {
      page = this.build(this.options.render());
      return true;
    }, cost);
    this.lastCost = cost;
    return page;
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
    // In a turn of its own: setting up the encoders takes a few milliseconds, which a render's
    // slice should not add to. Should compression ever fail, the page is served as it is.
    const done = new Promise((resolve) => setImmediate(resolve))
      .then(() => compressed(plain, PAGE_BROTLI_QUALITY))
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
