import { setImmediate } from 'node:timers/promises';
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
import { BucketWindow, type Slot } from './history-buckets.js';
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
/** Node strips rendered between two turns of the event loop. */
const RENDER_SLICE = 100;

/** What the page shows of the history, rendered once per read rather than once per page render. */
export interface HistoryView {
  /** Each node's strip, by its spec. */
  nodes: ReadonlyMap<NodeSpec, SafeHtml>;
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
      const nodes = await renderNodes(layout, now, uptime, texts);
      if (this.closed) return;
      this.view = {
        nodes,
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

interface Layout {
  /** Every node in page order, with its key in the page's element ids. */
  nodes: Array<{ spec: NodeSpec; key: string }>;
  nodeKeys: SeriesKey[];
  /** Poll nodes have a latency chart; the others report no latency worth charting. */
  pollNodes: NodeSpec[];
  days: BucketWindow;
  hours: BucketWindow;
}

function layoutOf(model: HealthModel, history: PageHistoryOptions['history']): Layout {
  const nodes = [...model.services.values()].flatMap((service, serviceIndex) =>
    [...service.nodes.values()].map((node, nodeIndex) => ({
      spec: node.spec,
      key: nodeKey(serviceIndex, nodeIndex),
    })),
  );
  const pollNodes = nodes.flatMap(({ spec }) => (spec.mode === 'poll' ? [spec] : []));
  const keysOf = (specs: readonly NodeSpec[]) =>
    specs.map((spec) => seriesKey('node', spec.serviceId, spec.id));
  const nodeKeys = keysOf(nodes.map(({ spec }) => spec));
  const pollKeys = keysOf(pollNodes);
  return {
    nodes,
    nodeKeys,
    pollNodes,
    days: new BucketWindow('day', DAY_FIGURES, (bucketMs) => history.bucket(nodeKeys, 'day', bucketMs)),
    hours: new BucketWindow('hour', HOUR_FIGURES, (bucketMs) => history.bucket(pollKeys, 'hour', bucketMs)),
  };
}

/** Each node's strip, in slices: a thousand take ~100 ms, which reports should not wait behind. */
async function renderNodes(
  layout: Layout,
  now: number,
  uptime: readonly Uptime[],
  texts: PageTexts,
): Promise<Map<NodeSpec, SafeHtml>> {
  const pollIndex = new Map(layout.pollNodes.map((spec, index) => [spec, index]));
  const nodes = new Map<NodeSpec, SafeHtml>();
  for (const [index, { spec, key }] of layout.nodes.entries()) {
    if (index > 0 && index % RENDER_SLICE === 0) await setImmediate();
    const days = uptimeDays(layout.days.slots(index), now, DAYS);
    const poll = pollIndex.get(spec);
    const latency = poll === undefined ? undefined : latencyPoints(layout.hours.slots(poll));
    const figures = uptime[index];
    if (figures) nodes.set(spec, nodeHistory(spec, key, days, figures, texts, latency));
  }
  return nodes;
}

function latencyPoints(slots: readonly Slot[]): LatencyPoint[] {
  return slots.map(({ bucketMs, p50Ms, p95Ms }) => ({ tMs: bucketMs, p50Ms, p95Ms }));
}
