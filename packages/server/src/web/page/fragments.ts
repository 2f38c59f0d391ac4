import type { HealthModel } from '../../model/health-model.js';
import type { NodeView, ServiceView } from '../../model/views.js';
import type { AssetUrl } from '../asset-catalog.js';
import { SafeHtml } from '../html.js';
import type { HistoryView } from './history.js';
import type { PageMaintenance } from './maintenance.js';
import {
  nodeItem,
  nodeKey,
  nodeSummary,
  REPLICA_BOXES_MAX,
  serviceSection,
  shownBoxCount,
} from './services.js';
import type { PageTexts } from './texts.js';
import { servicePagePath } from './urls.js';

/**
 * Past this many nodes in all, or this many replica boxes that the rows could show (a node past
 * REPLICA_BOXES_MAX replicas counts for that many), the page summarises every service: its nodes
 * counted by state, only the unhealthy ones listed, all of them on the service's own page. Below
 * both, every node has its row, as in Vigil, and the page stays under ~2 MB even with every replica
 * dead. The page then grows with services, not with nodes or replicas.
 */
export const PAGE_NODES_LISTED_MAX = 500;
export const PAGE_BOXES_LISTED_MAX = 4000;

/**
 * On a summarised page, the unhealthy nodes listed (in config order, across services) and their
 * replica boxes, at most: a mass outage keeps the page around a megabyte.
 */
export const SUMMARY_NODES_MAX = 200;
export const SUMMARY_BOXES_MAX = 2000;

/** What the services' part of the page is made from besides the model; read once per pass. */
export interface FragmentInputs {
  texts: PageTexts;
  assetUrl: AssetUrl;
  history?: HistoryView;
  maintenance?: Pick<PageMaintenance, 'isUnderMaintenance'>;
}

interface NodeFragment {
  readonly node: NodeView;
  readonly key: string;
  /** The row's markup; undefined when the node changed since it was rendered (or never was). */
  html: string | undefined;
  /** The history read the row was rendered with: each read's strips are new (and rendered when asked for). */
  history: HistoryView | undefined;
  underMaintenance: boolean;
}

interface ServiceFragment {
  readonly service: ServiceView;
  readonly nodes: readonly NodeFragment[];
  /** The rows the last pass chose to show, and the unhealthy nodes it left out (summarised page). */
  shown: NodeFragment[];
  notShown: number;
}

interface Layout {
  services: ServiceFragment[];
  /** serviceId → nodeId → fragment, for the model's events. */
  byNode: Map<string, Map<string, NodeFragment>>;
  nodeCount: number;
  /** Whether the last pass summarised the services. */
  summarised: boolean;
}

/** Between two yields of a pass: nodes checked without rendering. */
const CHECKS_PER_STEP = 256;

/**
 * The services' part of the status page, kept as one HTML fragment per node row. The model's
 * `updated` events name the node that changed, and only its row is rendered again; a pass checks
 * every node's other inputs (history strip, maintenance, language, assets), picks the rows to show
 * and renders the stale ones, one small step at a time, so a caller can spread it over several
 * turns of the event loop (`prepare`) and then join the rows at once (`sections`).
 */
export class PageFragments {
  private layout: Layout | undefined;
  private pass: Generator<void, void, void> | undefined;
  /** The inputs of the pass under way, or of the last one. */
  private inputs: FragmentInputs | undefined;
  /** What the cached rows were made with. */
  private rowsMadeWith: Pick<FragmentInputs, 'texts' | 'assetUrl'> | undefined;
  /** Node rows rendered so far, all passes together: what the benchmark and tests count. */
  private rowsRenderedCount = 0;

  constructor(private readonly model: HealthModel) {}

  get rowsRendered(): number {
    return this.rowsRenderedCount;
  }

  /**
   * Follows the model: a node's change makes its row stale, a reload (or a change naming no node)
   * every row. `onChange` hears of each change after that. Returns the unsubscribe function.
   */
  watch(onChange: () => void): () => void {
    const stops = [
      this.model.events.on('updated', ({ subject }) => {
        const fragment = subject && this.layout?.byNode.get(subject.serviceId)?.get(subject.nodeId);
        if (fragment) fragment.html = undefined;
        else if (subject === undefined) this.reset();
        onChange();
      }),
      this.model.events.on('reconfigured', () => this.reset()),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  /**
   * Works on the current pass (starting one with `inputs()` if none is under way) for about
   * `budgetMs`; true once it is done, and `sections` then only joins.
   */
  prepare(inputs: () => FragmentInputs, budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    const pass = this.currentPass(inputs);
    while (performance.now() < deadline) {
      if (pass.next().done) return true;
    }
    return false;
  }

  /** Every service's section, in config order: finishes the pass under way (or a whole new one) and joins its rows. */
  sections(inputs: () => FragmentInputs): SafeHtml {
    const pass = this.currentPass(inputs);
    while (!pass.next().done) {
      // Each step renders at most one row.
    }
    this.pass = undefined;
    const layout = this.layout;
    const current = this.inputs;
    if (!layout || !current) return new SafeHtml('');
    const { texts, assetUrl } = current;
    const parts = layout.services.map(({ service, shown, notShown }) => {
      // A row that changed since the pass rendered it is rendered again: the page is current.
      const rows = shown.map((fragment) => {
        fragment.html ??= this.renderRow(fragment, current);
        return fragment.html;
      });
      const summary = layout.summarised
        ? nodeSummary(service, notShown, texts, servicePagePath(service.spec.id))
        : undefined;
      return serviceSection(service, assetUrl, texts, rows, summary).value;
    });
    return new SafeHtml(parts.join(''));
  }

  private renderRow(fragment: NodeFragment, inputs: FragmentInputs): string {
    this.rowsRenderedCount += 1;
    return nodeItem(fragment.node, fragment.key, {
      texts: inputs.texts,
      history: fragment.history?.nodes.get(fragment.node.spec),
      underMaintenance: fragment.underMaintenance,
      root: '',
    }).value;
  }

  private reset(): void {
    this.layout = undefined;
    this.pass = undefined;
  }

  private currentPass(inputs: () => FragmentInputs): Generator<void, void, void> {
    // A copy: the whole pass works with the inputs it started with.
    this.pass ??= this.run({ ...inputs() });
    return this.pass;
  }

  private *run(inputs: FragmentInputs): Generator<void, void, void> {
    this.inputs = inputs;
    // Every row shows these: another language or asset catalog renders them all again.
    const everyRow =
      this.rowsMadeWith?.texts !== inputs.texts || this.rowsMadeWith.assetUrl !== inputs.assetUrl;
    this.rowsMadeWith = { texts: inputs.texts, assetUrl: inputs.assetUrl };
    this.layout ??= yield* buildLayout(this.model);
    const layout = this.layout;
    const { services } = layout;
    // Push and local nodes gain and lose replicas: whether to summarise is decided at each pass.
    layout.summarised =
      layout.nodeCount > PAGE_NODES_LISTED_MAX || (yield* boxesPast(services, PAGE_BOXES_LISTED_MAX));
    const { summarised } = layout;
    let nodesLeft = SUMMARY_NODES_MAX;
    let boxesLeft = SUMMARY_BOXES_MAX;
    let checked = 0;
    for (const entry of services) {
      entry.shown = [];
      entry.notShown = 0;
      for (const fragment of entry.nodes) {
        const { node } = fragment;
        const { history } = inputs;
        const underMaintenance =
          inputs.maintenance?.isUnderMaintenance(node.spec.serviceId, node.spec.id) ?? false;
        if (everyRow || history !== fragment.history || underMaintenance !== fragment.underMaintenance) {
          fragment.html = undefined;
          fragment.history = history;
          fragment.underMaintenance = underMaintenance;
        }
        let shown = !summarised;
        if (summarised && node.health !== 'healthy') {
          const boxes = shownBoxCount(node);
          shown = nodesLeft > 0 && boxes <= boxesLeft;
          if (shown) {
            nodesLeft -= 1;
            boxesLeft -= boxes;
          } else entry.notShown += 1;
        }
        if (shown) {
          entry.shown.push(fragment);
          if (fragment.html === undefined) {
            fragment.html = this.renderRow(fragment, inputs);
            yield;
          }
        }
        checked += 1;
        if (checked % CHECKS_PER_STEP === 0) yield;
      }
    }
  }
}

/** One fragment per node of the model, in config order, every row still to render. */
function* buildLayout(model: HealthModel): Generator<void, Layout, void> {
  const services: ServiceFragment[] = [];
  const byNode = new Map<string, Map<string, NodeFragment>>();
  let count = 0;
  let serviceIndex = 0;
  for (const service of model.services.values()) {
    const nodes: NodeFragment[] = [];
    const ofService = new Map<string, NodeFragment>();
    let nodeIndex = 0;
    for (const node of service.nodes.values()) {
      const fragment: NodeFragment = {
        node,
        key: nodeKey(serviceIndex, nodeIndex),
        html: undefined,
        history: undefined,
        underMaintenance: false,
      };
      nodes.push(fragment);
      ofService.set(node.spec.id, fragment);
      nodeIndex += 1;
      count += 1;
      if (count % CHECKS_PER_STEP === 0) yield;
    }
    services.push({ service, nodes, shown: [], notShown: 0 });
    byNode.set(service.spec.id, ofService);
    serviceIndex += 1;
  }
  return { services, byNode, nodeCount: count, summarised: false };
}

/** Whether every row together could show more than `max` replica boxes. */
function* boxesPast(services: readonly ServiceFragment[], max: number): Generator<void, boolean, void> {
  let boxes = 0;
  let checked = 0;
  for (const { nodes } of services) {
    for (const { node } of nodes) {
      boxes += Math.min(node.replicas.size, REPLICA_BOXES_MAX);
      if (boxes > max) return true;
      checked += 1;
      if (checked % CHECKS_PER_STEP === 0) yield;
    }
  }
  return false;
}
