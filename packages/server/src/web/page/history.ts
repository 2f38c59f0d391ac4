import type { HistoryReader, Uptime } from '../../history/reader.js';
import { BUCKET_MS, bucketStart } from '../../history/rollup/buckets.js';
import { seriesKey } from '../../history/rollup/model-series.js';
import { detectedStory, type IncidentReader } from '../../incidents/log.js';
import type { HealthModel } from '../../model/health-model.js';
import type { NodeSpec } from '../../model/topology.js';
import type { IncidentRepository, SeriesKey } from '../../store/types.js';
import type { Clock, TimerHandle } from '../../time/clock.js';
import type { LatencyPoint } from '../history/latency-sparkline.js';
import { uptimeDays } from '../history/uptime-days.js';
import type { SafeHtml } from '../html.js';
import { type BucketSlots, BucketWindow, type Slot } from './history-buckets.js';
import { activeIncidentsSection } from './incident-story.js';
import { incidentsSection } from './incidents.js';
import { nodeHistory } from './node-history.js';
import { nodeKey } from './services.js';
import type { PageTexts } from './texts.js';

/** History moves slowly: a minute between reads keeps the page fresh and the database idle. */
export const HISTORY_REFRESH_MS = 60_000;
/** The bar's days: the `90d` window of `/api/v1/uptime`. */
const DAYS = 90;
/** The latency chart's range: the default of `/api/v1/latency`. */
const LATENCY_MS = 24 * BUCKET_MS.hour;
const INCIDENTS_SHOWN = 20;
/** What the bar draws of each day, and the chart of each hour: all the page keeps of the rows. */
const DAY_FIGURES = ['healthySeconds', 'sickSeconds', 'deadSeconds'] as const;
const HOUR_FIGURES = ['p50Ms', 'p95Ms'] as const;

/** Each node's history strip, by its spec. */
export interface NodeStrips {
  get(spec: NodeSpec): SafeHtml | undefined;
}

/** What the page shows of the history, rendered once per read rather than once per page render. */
export interface HistoryView {
  /** Each node's strip, by its spec. */
  nodes: NodeStrips;
  incidents: SafeHtml;
  /** Active incidents with their timelines, for the top of the page. */
  activeIncidents: SafeHtml | '';
}

export interface PageHistoryOptions {
  model: HealthModel;
  history: Pick<HistoryReader, 'uptime' | 'bucket'>;
  incidents: Pick<IncidentRepository, 'list'>;
  /**
   * Incidents of both origins with their updates: when present, the page lists these (and shows the
   * active ones on top) and reads again after each change.
   */
  incidentLog?: IncidentReader;
  clock: Clock;
  /** The texts of the branding's language, read at each read (a reload may change it). */
  texts: () => PageTexts;
  onError: (error: unknown) => void;
  refreshMs?: number;
}

/**
 * The page's copy of the history: read from the store in the background every `refreshMs` and
 * kept in memory, so a page render never waits for the database. Listeners hear of each new view
 * (the page cache re-renders). Until the first read completes there is no view.
 */
export class PageHistory {
  private view: HistoryView | undefined;
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  /** The nodes the history is read for; replaced when a reload changes them. */
  private layout: Layout;
  private readonly stopTracking: () => void;

  constructor(private readonly options: PageHistoryOptions) {
    const { model, history, incidentLog } = options;
    this.layout = layoutOf(model, history);
    // A read under way is for the old nodes or incidents: read again once it is over.
    const readAgain = () => void (this.running ?? Promise.resolve()).then(() => this.refresh());
    const stops = [
      model.events.on('reconfigured', () => {
        this.layout = layoutOf(model, history);
        readAgain();
      }),
    ];
    if (incidentLog) stops.push(incidentLog.onChange(readAgain));
    this.stopTracking = () => {
      for (const stop of stops) stop();
    };
  }

  get current(): HistoryView | undefined {
    return this.view;
  }

  /** Reads now, then every `refreshMs`. */
  start(): void {
    void this.refresh();
  }

  /** Reads the history and publishes a new view; a read already under way is shared. */
  refresh(): Promise<void> {
    this.running ??= this.read().finally(() => {
      this.running = undefined;
      this.schedule();
    });
    return this.running;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops reading; resolves once a read under way is over, so the store can close after it. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTracking();
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    await this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    const { clock } = this.options;
    if (this.timer !== undefined) clock.clearTimeout(this.timer);
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, this.options.refreshMs ?? HISTORY_REFRESH_MS);
  }

  private async read(): Promise<void> {
    const { model, history, incidents, incidentLog, clock, texts: textsNow, onError } = this.options;
    const layout = this.layout;
    try {
      const now = clock.now();
      await layout.days.update(bucketStart('day', now) - (DAYS - 1) * BUCKET_MS.day, now);
      if (layout.pollNodes.length > 0) await layout.hours.update(now - LATENCY_MS, now);
      const uptime = await history.uptime(layout.nodeKeys, '90d');
      const recent = incidentLog
        ? await incidentLog.list({ limit: INCIDENTS_SHOWN })
        : (await incidents.list({ scope: 'node', limit: INCIDENTS_SHOWN })).map(detectedStory);
      const active = (await incidentLog?.active()) ?? [];
      // Read after the queries: a reload that changed the language is in effect by then.
      const texts = textsNow();
      if (this.closed) return;
      this.view = {
        nodes: new LazyStrips(layout, now, uptime, texts),
        incidents: incidentsSection(recent, model, texts),
        activeIncidents: activeIncidentsSection(active, model, texts),
      };
      for (const listener of this.listeners) listener();
    } catch (error) {
      // The page keeps the last view; the next read tries again.
      onError(error);
    }
  }
}

/** Where a node is in the lists the history is read for. */
interface NodePlace {
  /** In the list of every node (page order). */
  index: number;
  /** Its key in the page's element ids. */
  key: string;
  /** In the list of poll nodes, for one. */
  poll: number | undefined;
}

interface Layout {
  /** Every node, in page order. */
  nodes: ReadonlyMap<NodeSpec, NodePlace>;
  nodeKeys: SeriesKey[];
  /** Poll nodes have a latency chart; the others report no latency worth charting. */
  pollNodes: NodeSpec[];
  days: BucketWindow;
  hours: BucketWindow;
}

function layoutOf(model: HealthModel, history: PageHistoryOptions['history']): Layout {
  const nodes = new Map<NodeSpec, NodePlace>();
  const pollNodes: NodeSpec[] = [];
  [...model.services.values()].forEach((service, serviceIndex) => {
    [...service.nodes.values()].forEach(({ spec }, nodeIndex) => {
      const poll = spec.mode === 'poll' ? pollNodes.push(spec) - 1 : undefined;
      nodes.set(spec, { index: nodes.size, key: nodeKey(serviceIndex, nodeIndex), poll });
    });
  });
  const keysOf = (specs: Iterable<NodeSpec>) =>
    Array.from(specs, (spec) => seriesKey('node', spec.serviceId, spec.id));
  const nodeKeys = keysOf(nodes.keys());
  const pollKeys = keysOf(pollNodes);
  return {
    nodes,
    nodeKeys,
    pollNodes,
    days: new BucketWindow('day', DAY_FIGURES, (bucketMs) => history.bucket(nodeKeys, 'day', bucketMs)),
    hours: new BucketWindow('hour', HOUR_FIGURES, (bucketMs) => history.bucket(pollKeys, 'hour', bucketMs)),
  };
}

/**
 * The strips of one read, each rendered when first asked for and then kept: a page shows a few
 * hundred rows at most, and rendering every node's strip at each read held ~2.5 kB per node (a
 * rope of its pieces) and took ~0.1 ms each, 2 s a minute at 20,000 nodes.
 */
class LazyStrips implements NodeStrips {
  private readonly rendered = new Map<NodeSpec, SafeHtml>();
  private readonly days: BucketSlots;
  private readonly hours: BucketSlots;

  constructor(
    private readonly layout: Layout,
    private readonly now: number,
    private readonly uptime: readonly Uptime[],
    private readonly texts: PageTexts,
  ) {
    // As this read left them: the next read's updates do not show through.
    this.days = layout.days.current;
    this.hours = layout.hours.current;
  }

  get(spec: NodeSpec): SafeHtml | undefined {
    const kept = this.rendered.get(spec);
    if (kept) return kept;
    const place = this.layout.nodes.get(spec);
    const figures = place && this.uptime[place.index];
    if (!place || !figures) return undefined;
    const days = uptimeDays(this.days.slots(place.index), this.now, DAYS);
    const latency = place.poll === undefined ? undefined : latencyPoints(this.hours.slots(place.poll));
    const strip = nodeHistory(spec, place.key, days, figures, this.texts, latency);
    this.rendered.set(spec, strip);
    return strip;
  }
}

function latencyPoints(slots: readonly Slot[]): LatencyPoint[] {
  return slots.map(({ bucketMs, p50Ms, p95Ms }) => ({ tMs: bucketMs, p50Ms, p95Ms }));
}
