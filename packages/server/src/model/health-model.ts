import type { MetricsConfig } from '../config/schema.js';
import type { Clock } from '../time/clock.js';
import { type DueEntry, DueHeap } from '../time/due-heap.js';
import { TypedEmitter } from './events.js';
import { type Health, HealthCounts } from './health.js';
import { NodeReplicas } from './node-replicas.js';
import type {
  ApplyOutcome,
  Load,
  NodeRef,
  Observation,
  ObservationOf,
  ObservationSink,
  ReplicaRef,
} from './observation.js';
import { ReplicaTable } from './replica-table.js';
import type { NodeSpec, ServiceSpec, Topology } from './topology.js';
import type { HealthCountsView, NodeView, ReplicaView, ServiceView } from './views.js';

export type { ApplyOutcome, Load, QueueState, ReplicaRef } from './observation.js';

interface NodeState {
  /** Replaced by `reconfigure` when a reload changes the node's config. */
  spec: NodeSpec;
  health: Health;
  /** Its replicas' slots in the model's ReplicaTable, where their state is. */
  readonly replicas: NodeReplicas;
  /** Its replicas by state; only the model changes them. */
  readonly counts: HealthCounts;
  /** Time of the last queue check taken in (a late one is stale). */
  queueAtMs?: number;
}

interface ServiceState {
  /** Replaced by `reconfigure` when a reload changes the service's config. */
  spec: ServiceSpec;
  health: Health;
  readonly nodes: Map<string, NodeState>;
  /** Its nodes by state; only the model changes them. */
  readonly counts: HealthCounts;
}

export interface HealthChange<T> {
  subject: T;
  previous: Health;
  current: Health;
  atMs: number;
}

/**
 * A node, service or page change. `forgotten` marks one that only forgetting a dead replica caused
 * (`push_forget_after`, `local_forget_after`): nothing recovered, so alerts must not say it did.
 */
export type LevelChange<T> = HealthChange<T> & { forgotten?: boolean };

export interface HealthModelEvents extends Record<string, unknown> {
  'replica-changed': HealthChange<ReplicaRef> & { reason?: string };
  'replica-added': ReplicaRef;
  /** Flushed by its reporter, or `forgotten` after being dead for the configured age. */
  'replica-removed': ReplicaRef & { previous: Health; forgotten?: boolean };
  'node-changed': LevelChange<{ serviceId: string; nodeId: string }>;
  'service-changed': LevelChange<{ serviceId: string }>;
  'page-changed': LevelChange<null>;
  /** A push load report was accepted (after it was judged); the RabbitMQ queue check runs on it. */
  'push-reported': ReplicaRef & { atMs: number };
  /** One probe result or report taken in, after it was judged: history counts and times these. */
  'replica-observed': ReplicaRef & { health: Health; latencyMs?: number; atMs: number };
  /**
   * Anything visible changed (health, metrics, replicas); for consumers that re-render. A push report
   * repeating its replica's last load, health and reason changes nothing shown and does not emit it.
   * `subject` is the one node whose replicas changed, so a renderer redoes only that node; without
   * it anything may have changed (a reload).
   */
  updated: { atMs: number; subject?: NodeRef };
  /**
   * A reload replaced the services, nodes or their specs (`reconfigure`): consumers holding a list
   * of them take the new one. Emitted before the new replicas are announced.
   */
  reconfigured: { atMs: number };
}

export interface HealthModelSettings {
  pushDelayDeadSeconds: number;
  localDelayDeadSeconds: number;
  pushCpuSickAbove: number;
  pushRamSickAbove: number;
  /** Extension: a push replica dead this long is forgotten; never when undefined (Vigil). */
  pushForgetAfterSeconds?: number;
  /** Extension: the same for local replicas. */
  localForgetAfterSeconds?: number;
}

/** The model's settings from the `[metrics]` table. */
export function healthModelSettings(metrics: MetricsConfig): HealthModelSettings {
  return {
    pushDelayDeadSeconds: metrics.push_delay_dead,
    localDelayDeadSeconds: metrics.local_delay_dead,
    pushCpuSickAbove: metrics.push_system_cpu_sick_above,
    pushRamSickAbove: metrics.push_system_ram_sick_above,
    pushForgetAfterSeconds: metrics.push_forget_after,
    localForgetAfterSeconds: metrics.local_forget_after,
  };
}

/**
 * What a push or local replica waits for, in the model's one deadline heap: its silence deadline
 * (dead when no report came by then), past it the time this model stops waiting for another
 * member's verdict (`verdict`, with a SilenceJudge), or, once dead by silence, the time it is
 * forgotten. A replica has at most one, moved in place by each report.
 */
interface PendingSilence extends DueEntry {
  readonly node: NodeState;
  /** The replica's slot. */
  readonly replica: number;
  kind: 'deadline' | 'verdict' | 'forget';
  /** For a deadline: the interval plus the delay it waits, which its reason names. */
  afterSeconds: number;
}

/**
 * Deaths and forgettings handled per turn of the event loop: a few milliseconds of work, so a mass
 * death of 100,000 replicas takes 100 short turns and requests are answered in between.
 */
const SILENCES_PER_TURN = 1000;

/**
 * Who turns a push or local replica's passed deadline into its death. Alone, the model itself; in
 * a cluster one member at a time (the alert leader) judges, and the others take its verdict as a
 * `silence` observation, so every member shows the same death and nothing is judged twice.
 */
export interface SilenceJudge {
  /** Whether this model judges passed deadlines now; when not, it waits for a `silence` observation. */
  judgesNow(): boolean;
  /** A death this model judged, as the observation that tells it to the others. */
  judged(observation: ObservationOf<'silence'>): void;
  /** Past its deadline, a replica waits this long for the verdict, then is judged here all the same. */
  verdictWaitMs: number;
}

/** A push or local replica as a previous run left it: its last report and the health it had then. */
export interface RestoredReplica extends ReplicaRef {
  mode: 'push' | 'local';
  intervalSeconds: number;
  reportAtMs: number;
  load?: Load;
  /** What the local relay reported (local mode). */
  reportedHealth?: Health;
  health: Health;
  reason?: string;
  sinceMs: number;
}

/**
 * Current health of every replica, node, service and of the page (worst wins at each level).
 * Each level keeps counts of its members' states, so a replica's change costs O(1) however many
 * replicas its node has. Push and local replicas die by timer at exactly `last report + interval +
 * delay`, and, with a forget age set, are forgotten by timer that long after they died.
 *
 * No I/O, and one way in: sources hand observations to `apply` (observation.ts); consumers read
 * the read-only views (views.ts) and listen to events. Events carry the model's time (the clock's
 * when it took the observation in), in the order things happened to the model, so consumers adding
 * up durations never see a late arrival's past time; the observation's own time sets when the
 * replica was checked and when its deadline is.
 */
export class HealthModel implements ObservationSink {
  readonly events: TypedEmitter<HealthModelEvents>;
  private readonly serviceStates = new Map<string, ServiceState>();
  private readonly pageCountsState = new HealthCounts();
  private pageHealthValue: Health = 'healthy';
  private lastUpdateMs: number | undefined;
  /** The pending deadline or forget time of each push or local replica that has one. */
  private readonly pending = new Map<number, PendingSilence>();
  /** Every replica's state, by slot; a node lists its replicas' slots. */
  private readonly table = new ReplicaTable();
  /** Every pending deadline and forget time under one timer, handled a bounded number per turn. */
  private readonly silences: DueHeap<PendingSilence>;
  /** Who judges passed deadlines; this model when undefined. */
  private judge: SilenceJudge | undefined;

  constructor(
    topology: Topology,
    /** Replaced by `reconfigure`. */
    private settings: HealthModelSettings,
    private readonly clock: Clock,
    onListenerError?: (error: unknown) => void,
  ) {
    this.events = new TypedEmitter(onListenerError);
    this.silences = new DueHeap(clock, SILENCES_PER_TURN, (silence) => this.onSilence(silence));
    const now = clock.now();
    for (const serviceSpec of topology.services) {
      const nodes = new Map<string, NodeState>();
      const serviceCounts = new HealthCounts();
      for (const nodeSpec of serviceSpec.nodes) {
        // Vigil starts every configured replica healthy; checkedAtMs stays empty until a first probe.
        const slots = nodeSpec.replicas.map((replica) => this.table.add(replica.id, now));
        const replicas = new NodeReplicas(this.table, slots);
        const counts = new HealthCounts();
        counts.add('healthy', slots.length);
        nodes.set(nodeSpec.id, { spec: nodeSpec, health: 'healthy', replicas, counts });
        serviceCounts.add('healthy');
      }
      this.serviceStates.set(serviceSpec.id, {
        spec: serviceSpec,
        health: 'healthy',
        nodes,
        counts: serviceCounts,
      });
      this.pageCountsState.add('healthy');
    }
  }

  /** Every service, in config order, to read. */
  get services(): ReadonlyMap<string, ServiceView> {
    return this.serviceStates;
  }

  /** The services by state. */
  get pageCounts(): HealthCountsView {
    return this.pageCountsState;
  }

  get pageHealth(): Health {
    return this.pageHealthValue;
  }

  /** Time of the last observation, report or deadline the model took in; undefined before any. */
  get updatedAtMs(): number | undefined {
    return this.lastUpdateMs;
  }

  service(serviceId: string): ServiceView | undefined {
    return this.serviceStates.get(serviceId);
  }

  node(serviceId: string, nodeId: string): NodeView | undefined {
    return this.nodeState({ serviceId, nodeId });
  }

  replica(ref: ReplicaRef): ReplicaView | undefined {
    return this.nodeState(ref)?.replicas.get(ref.replicaId);
  }

  private refOf(node: NodeState, replica: number): ReplicaRef {
    return { serviceId: node.spec.serviceId, nodeId: node.spec.id, replicaId: this.table.id(replica) };
  }

  /**
   * Takes one observation in: the only way anything outside the model changes its state. Unknown
   * subjects are `not-found`, a report for a node of another mode `wrong-mode`, and one older than
   * what the model last took for its subject `stale` (ignored, so a late arrival never overwrites
   * a newer state). An observation from the future counts as made now.
   */
  apply(observation: Observation): ApplyOutcome {
    const now = this.clock.now();
    const atMs = Math.min(observation.atMs, now);
    switch (observation.kind) {
      case 'probe':
        return this.applyProbe(observation, atMs, now);
      case 'push':
        return this.applyPush(observation, atMs, now);
      case 'local':
        return this.applyLocal(observation, atMs, now);
      case 'queue':
        return this.applyQueue(observation, atMs, now);
      case 'silence':
        return this.applySilence(observation);
      case 'flush':
        return this.applyFlush(observation, atMs, now);
      case 'restore':
        return this.applyRestore(observation, atMs, now);
    }
  }

  private nodeState(ref: NodeRef): NodeState | undefined {
    return this.serviceStates.get(ref.serviceId)?.nodes.get(ref.nodeId);
  }

  private applyProbe(observation: ObservationOf<'probe'>, atMs: number, now: number): ApplyOutcome {
    const node = this.nodeState(observation.subject);
    const replica = node?.replicas.slotOf(observation.subject.replicaId);
    if (!node || replica === undefined) return 'not-found';
    if (node.spec.mode !== 'poll' && node.spec.mode !== 'script') return 'wrong-mode';
    const { table } = this;
    if (isStale(table.checkedAtMs(replica), atMs, now)) return 'stale';
    table.setLatencyMs(replica, observation.latencyMs);
    table.setCheckedAtMs(replica, atMs);
    this.setReplicaHealth(node, replica, observation.health, observation.reason, now);
    this.events.emit('replica-observed', {
      ...this.refOf(node, replica),
      health: table.health(replica),
      latencyMs: observation.latencyMs,
      atMs: now,
    });
    return 'ok';
  }

  private applyPush(observation: ObservationOf<'push'>, atMs: number, now: number): ApplyOutcome {
    const reported = this.recordReport(observation, atMs, now);
    if (typeof reported === 'string') return reported;
    const { node, replica } = reported;
    const { cpu, ram } = observation.load;
    const state = this.table.reportState(replica);
    const previousLoad = state.load;
    // The same figures as last time (a new replica has none): the page has nothing new to show
    // unless the health or its reason changes, so the report does not make it re-render.
    const loadChanged = previousLoad?.cpu !== cpu || previousLoad.ram !== ram;
    if (loadChanged) state.load = { cpu, ram };
    this.evaluatePush(node, replica, now, loadChanged);
    // One payload for both events, built without spreads: this runs for every report.
    const observed = {
      serviceId: node.spec.serviceId,
      nodeId: node.spec.id,
      replicaId: this.table.id(replica),
      health: this.table.health(replica),
      atMs: now,
    };
    this.events.emit('push-reported', observed);
    this.events.emit('replica-observed', observed);
    return 'ok';
  }

  private applyLocal(observation: ObservationOf<'local'>, atMs: number, now: number): ApplyOutcome {
    const reported = this.recordReport(observation, atMs, now);
    if (typeof reported === 'string') return reported;
    const { node, replica } = reported;
    const { health } = observation;
    this.table.reportState(replica).reportedHealth = health;
    this.setReplicaHealth(
      node,
      replica,
      health,
      health === 'healthy' ? undefined : `reported ${health} by the local relay`,
      now,
    );
    this.events.emit('replica-observed', {
      serviceId: node.spec.serviceId,
      nodeId: node.spec.id,
      replicaId: this.table.id(replica),
      health: this.table.health(replica),
      atMs: now,
    });
    return 'ok';
  }

  private applyQueue(observation: ObservationOf<'queue'>, atMs: number, now: number): ApplyOutcome {
    const node = this.nodeState(observation.subject);
    if (!node) return 'not-found';
    if (node.spec.mode !== 'push') return 'wrong-mode';
    if (isStale(node.queueAtMs, atMs, now)) return 'stale';
    node.queueAtMs = atMs;
    for (const replica of node.replicas.slots()) {
      this.table.reportState(replica).queue = { ...observation.queue };
      this.evaluatePush(node, replica, now);
    }
    return 'ok';
  }

  /** Another member's verdict: the replica died of silence, unless it reported since. */
  private applySilence(observation: ObservationOf<'silence'>): ApplyOutcome {
    const node = this.nodeState(observation.subject);
    if (!node) return 'not-found';
    if (node.spec.mode !== 'push' && node.spec.mode !== 'local') return 'wrong-mode';
    const replica = node.replicas.slotOf(observation.subject.replicaId);
    if (replica === undefined) return 'not-found';
    // A later report than the one judged from. Later by half an interval, so that members' clocks
    // a little apart do not count the judged report itself as later; a report after a silence
    // comes at least an interval and a delay after it.
    const reportAtMs = this.table.reportOf(replica)?.report?.atMs ?? Number.NEGATIVE_INFINITY;
    const laterMs = (reportAtMs - observation.reportAtMs) * 2;
    if (laterMs > observation.intervalSeconds * 1000) return 'stale';
    if (this.table.health(replica) === 'dead' && !this.awaitsJudgement(replica)) return 'ok';
    this.clearSilence(replica);
    const delaySeconds =
      node.spec.mode === 'push' ? this.settings.pushDelayDeadSeconds : this.settings.localDelayDeadSeconds;
    this.dieOfSilence(node, replica, observation.intervalSeconds, delaySeconds);
    return 'ok';
  }

  /**
   * Makes another member (`judge`) decide when a passed deadline kills a replica, or, undefined,
   * this model again. Called once the judge is known (a cluster joined).
   */
  judgeSilencesWith(judge: SilenceJudge | undefined): void {
    this.judge = judge;
  }

  /** Judges now every replica past its deadline that waits for a verdict: this member became the judge. */
  judgeOverdue(): void {
    for (const silence of [...this.pending.values()]) {
      if (silence.kind !== 'verdict') continue;
      this.clearSilence(silence.replica);
      this.judgeSilence(silence);
    }
  }

  private applyFlush(observation: ObservationOf<'flush'>, atMs: number, now: number): ApplyOutcome {
    const node = this.nodeState(observation.subject);
    if (!node) return 'not-found';
    if (node.spec.mode !== 'push' && node.spec.mode !== 'local') return 'wrong-mode';
    const replica = node.replicas.slotOf(observation.subject.replicaId);
    if (replica === undefined) return 'not-found';
    // A report sent after this flush was taken first: the replica is back.
    if (isStale(this.table.checkedAtMs(replica), atMs, now)) return 'stale';
    this.removeReplica(node, replica, false);
    return 'ok';
  }

  /**
   * Re-creates a push or local replica from a previous run's record (spec §4.5, §4.6 rules) and
   * re-arms its deadline from the report's time: a deadline that passed meanwhile makes it dead now.
   */
  private applyRestore(observation: ObservationOf<'restore'>, atMs: number, now: number): ApplyOutcome {
    const node = this.nodeState(observation.subject);
    if (!node) return 'not-found';
    if (node.spec.mode !== observation.mode) return 'wrong-mode';
    if (isStale(this.checkedAtMsOf(node, observation.subject.replicaId), atMs, now)) return 'stale';
    const replica = this.upsertReplica(node, observation.subject.replicaId, now);
    const report = { atMs, intervalSeconds: observation.intervalSeconds };
    const state = this.table.reportState(replica);
    state.report = report;
    this.table.setCheckedAtMs(replica, atMs);
    if (observation.mode === 'push') {
      state.load = observation.load && { cpu: observation.load.cpu, ram: observation.load.ram };
      // A deadline that passed meanwhile fires at once, and that arms the forget timer.
      this.armDeadline(node, replica, observation.intervalSeconds + this.settings.pushDelayDeadSeconds);
      this.evaluatePush(node, replica, now);
    } else {
      const delaySeconds = this.settings.localDelayDeadSeconds;
      const silent = now - report.atMs >= (report.intervalSeconds + delaySeconds) * 1000;
      const reportedHealth = silent ? 'dead' : (observation.reportedHealth ?? observation.health);
      state.reportedHealth = reportedHealth;
      if (!silent) this.armDeadline(node, replica, observation.intervalSeconds + delaySeconds);
      const reason = silent
        ? this.silenceReason(report, delaySeconds, 'local_delay_dead')
        : observation.reason;
      this.setReplicaHealth(node, replica, reportedHealth, reason, now);
    }
    // Still in the state it was saved in: it has been since then, not since the restart.
    if (this.table.health(replica) === observation.health)
      this.table.setSinceMs(replica, observation.sinceMs);
    // A local replica silent since before the restart: dead already, so forgotten from its death.
    if (observation.mode === 'local' && !this.hasDeadline(replica)) this.armForget(node, replica);
    return 'ok';
  }

  /** Every dead replica as `service:node:replica`, in config and insertion order (Vigil's list). */
  deadReplicaPaths(): string[] {
    return this.replicaPathsWith('dead');
  }

  replicaPathsWith(health: Health): string[] {
    const paths: string[] = [];
    for (const service of this.serviceStates.values()) {
      for (const node of service.nodes.values()) {
        for (const replica of node.replicas.slots()) {
          if (this.table.health(replica) === health) {
            paths.push(`${service.spec.id}:${node.spec.id}:${this.table.id(replica)}`);
          }
        }
      }
    }
    return paths;
  }

  // ── Reconfiguration (hot reload) ──────────────────────────────────────────────────────────────

  /**
   * Takes a reloaded config in place. Services, nodes and replicas that stay keep their state, history
   * and deadlines; new configured replicas start healthy, as at start (Vigil's rule); removed ones are
   * dropped and announced as removed. A node whose mode changed counts as removed and added. When a
   * push or local delay changed, the pending deadlines move to the new one; the push thresholds apply
   * to the next judgement of each live push replica, which happens now.
   */
  reconfigure(topology: Topology, settings: HealthModelSettings): void {
    const now = this.clock.now();
    const previousSettings = this.settings;
    this.settings = settings;
    this.dropUnconfigured(topology);
    const added: ReplicaRef[] = [];
    const keptServices = new Set<ServiceState>();
    const services = topology.services.map((serviceSpec) => {
      let service = this.serviceStates.get(serviceSpec.id);
      if (service) keptServices.add(service);
      else {
        service = { spec: serviceSpec, health: 'healthy', nodes: new Map(), counts: new HealthCounts() };
        this.pageCountsState.add(service.health);
      }
      service.spec = serviceSpec;
      const keptNodes = new Set<NodeState>();
      const nodes = serviceSpec.nodes.map((nodeSpec) => {
        let node = service.nodes.get(nodeSpec.id);
        if (node?.spec.mode === nodeSpec.mode) keptNodes.add(node);
        else {
          const replicas = new NodeReplicas(this.table);
          node = { spec: nodeSpec, health: 'healthy', replicas, counts: new HealthCounts() };
          service.counts.add(node.health);
        }
        node.spec = nodeSpec;
        this.addConfiguredReplicas(node, now, added);
        return node;
      });
      for (const node of service.nodes.values()) if (!keptNodes.has(node)) service.counts.remove(node.health);
      service.nodes.clear();
      for (const node of nodes) service.nodes.set(node.spec.id, node);
      return service;
    });
    for (const service of this.serviceStates.values()) {
      if (!keptServices.has(service)) this.pageCountsState.remove(service.health);
    }
    this.serviceStates.clear();
    for (const service of services) this.serviceStates.set(service.spec.id, service);
    this.lastUpdateMs = now;
    this.events.emit('reconfigured', { atMs: now });
    for (const ref of added) this.events.emit('replica-added', ref);
    if (!sameDelays(previousSettings, settings)) this.moveDeadlines();
    this.reaggregate(now);
    this.events.emit('updated', { atMs: now });
  }

  /**
   * Drops the replicas a new topology no longer has: all of a node that goes or changes its mode,
   * and the configured ones a poll or script node no longer lists.
   */
  private dropUnconfigured(topology: Topology): void {
    const specs = new Map(
      topology.services.map((service) => [service.id, new Map(service.nodes.map((node) => [node.id, node]))]),
    );
    for (const service of this.serviceStates.values()) {
      for (const node of service.nodes.values()) {
        const spec = specs.get(service.spec.id)?.get(node.spec.id);
        const replicas = [...node.replicas.slots()];
        if (spec?.mode !== node.spec.mode) this.dropReplicas(node, replicas);
        else if (spec.mode === 'poll' || spec.mode === 'script') {
          const listed = new Set(spec.replicas.map((replica) => replica.id));
          this.dropReplicas(
            node,
            replicas.filter((replica) => !listed.has(this.table.id(replica))),
          );
        }
      }
    }
  }

  /** Configured (poll, script) replicas in the spec's order, the new ones healthy; reported ones stay. */
  private addConfiguredReplicas(node: NodeState, now: number, added: ReplicaRef[]): void {
    if (node.spec.mode !== 'poll' && node.spec.mode !== 'script') return;
    const previous = new Map(Array.from(node.replicas.slots(), (slot) => [this.table.id(slot), slot]));
    const slots = node.spec.replicas.map(({ id }) => {
      const kept = previous.get(id);
      if (kept !== undefined) return kept;
      node.counts.add('healthy');
      added.push({ serviceId: node.spec.serviceId, nodeId: node.spec.id, replicaId: id });
      return this.table.add(id, now);
    });
    node.replicas.replace(slots);
  }

  /** Takes replicas out of a node without judging it yet: `reaggregate` does, once for all. */
  private dropReplicas(node: NodeState, replicas: readonly number[]): void {
    for (const replica of replicas) this.takeOut(node, replica, false);
  }

  /** Re-arms each pending deadline with the new delay, counted from the same last report. */
  private moveDeadlines(): void {
    for (const service of this.serviceStates.values()) {
      for (const node of service.nodes.values()) {
        for (const replica of node.replicas.slots()) {
          const report = this.table.reportOf(replica)?.report;
          if (!report || !this.hasDeadline(replica)) continue;
          const delaySeconds =
            node.spec.mode === 'push'
              ? this.settings.pushDelayDeadSeconds
              : this.settings.localDelayDeadSeconds;
          this.armDeadline(node, replica, report.intervalSeconds + delaySeconds);
        }
      }
    }
  }

  /**
   * Brings every node, service and the page up to date after a reconfiguration, emitting each
   * change; live push replicas are judged again first (new CPU and RAM thresholds).
   */
  private reaggregate(now: number): void {
    for (const service of this.serviceStates.values()) {
      for (const node of service.nodes.values()) {
        if (node.spec.mode === 'push') {
          for (const replica of node.replicas.slots()) {
            if (this.hasDeadline(replica)) this.evaluatePush(node, replica, now);
          }
        }
        this.updateNodeHealth(node, now);
      }
      this.updateServiceHealth(service, now);
    }
    this.updatePageHealth(now);
  }

  /** Cancels every deadline and forget time; the model keeps its state but stops changing by itself. */
  stop(): void {
    this.silences.clear();
    this.pending.clear();
  }

  /**
   * What every push or local report does first: find the node of that mode, create the replica on
   * its first report, stamp the report with its time, and move its silence deadline.
   */
  private recordReport(
    observation: ObservationOf<'push' | 'local'>,
    atMs: number,
    now: number,
  ): ApplyOutcome | { node: NodeState; replica: number } {
    const node = this.nodeState(observation.subject);
    if (!node) return 'not-found';
    if (node.spec.mode !== observation.kind) return 'wrong-mode';
    const { replicaId } = observation.subject;
    if (isStale(this.checkedAtMsOf(node, replicaId), atMs, now)) return 'stale';
    const replica = this.upsertReplica(node, replicaId, now);
    const { intervalSeconds } = observation;
    this.table.reportState(replica).report = { atMs, intervalSeconds };
    this.table.setCheckedAtMs(replica, atMs);
    const delaySeconds =
      observation.kind === 'push' ? this.settings.pushDelayDeadSeconds : this.settings.localDelayDeadSeconds;
    // Reporting again, it is no longer a replica that went away: the deadline replaces any forget time.
    this.armDeadline(node, replica, intervalSeconds + delaySeconds);
    return { node, replica };
  }

  /** When the node's replica with this id was last checked; undefined when never or when it has none. */
  private checkedAtMsOf(node: NodeState, replicaId: string): number | undefined {
    const replica = node.replicas.slotOf(replicaId);
    return replica === undefined ? undefined : this.table.checkedAtMs(replica);
  }

  /** The node's replica with this id, added (healthy) when it has none: returns its slot. */
  private upsertReplica(node: NodeState, replicaId: string, now: number): number {
    const existing = node.replicas.slotOf(replicaId);
    if (existing !== undefined) return existing;
    const replica = this.table.add(replicaId, now);
    node.replicas.add(replica);
    node.counts.add('healthy');
    this.events.emit('replica-added', { serviceId: node.spec.serviceId, nodeId: node.spec.id, replicaId });
    return replica;
  }

  private evaluatePush(node: NodeState, replica: number, now: number, otherChange = true): void {
    const { health, reason } = this.pushHealth(replica, now);
    this.setReplicaHealth(node, replica, health, reason, now, otherChange);
  }

  /** Spec §4.5: the deadline first, then CPU/RAM thresholds, then the queue flags (only while healthy). */
  private pushHealth(replica: number, now: number): { health: Health; reason?: string } {
    const state = this.table.reportOf(replica);
    const report = state?.report;
    const overdue =
      report !== undefined &&
      now - report.atMs >= (report.intervalSeconds + this.settings.pushDelayDeadSeconds) * 1000;
    // Past its deadline but not judged yet: dead here only if this model is the one that judges.
    if (overdue && (this.judgesSilence() || !this.awaitsJudgement(replica))) {
      return {
        health: 'dead',
        reason: this.silenceReason(report, this.settings.pushDelayDeadSeconds, 'push_delay_dead'),
      };
    }
    const load = state?.load;
    if (load && load.cpu > this.settings.pushCpuSickAbove) {
      return {
        health: 'sick',
        reason: `CPU load ${percent(load.cpu)} above ${percent(this.settings.pushCpuSickAbove)}`,
      };
    }
    if (load && load.ram > this.settings.pushRamSickAbove) {
      return {
        health: 'sick',
        reason: `RAM use ${percent(load.ram)} above ${percent(this.settings.pushRamSickAbove)}`,
      };
    }
    if (state?.queue?.stalled) return { health: 'dead', reason: 'RabbitMQ queue stalled' };
    if (state?.queue?.loaded) return { health: 'sick', reason: 'RabbitMQ queue loaded' };
    return { health: 'healthy' };
  }

  private silenceReason(report: { intervalSeconds: number }, delaySeconds: number, delayKey: string): string {
    const total = report.intervalSeconds + delaySeconds;
    return `no report for ${total} s (interval ${report.intervalSeconds} s + ${delayKey} ${delaySeconds} s)`;
  }

  /** Sets the replica's silence deadline, `afterSeconds` after its last report. */
  private armDeadline(node: NodeState, replica: number, afterSeconds: number): void {
    // From the report's time, which is now except for a replica restored after a restart.
    const reportAtMs = this.table.reportOf(replica)?.report?.atMs;
    const dueAtMs = (reportAtMs ?? this.clock.now()) + afterSeconds * 1000;
    this.schedule(node, replica, 'deadline', afterSeconds, dueAtMs);
  }

  /** Schedules the replica's one pending silence, reusing its entry when it has one. */
  private schedule(
    node: NodeState,
    replica: number,
    kind: PendingSilence['kind'],
    afterSeconds: number,
    dueAtMs: number,
  ): void {
    let silence = this.pending.get(replica);
    if (!silence) {
      silence = { node, replica, kind, afterSeconds, dueAtMs, slot: -1, order: 0 };
      this.pending.set(replica, silence);
    }
    silence.kind = kind;
    silence.afterSeconds = afterSeconds;
    this.silences.schedule(silence, dueAtMs);
  }

  private hasDeadline(replica: number): boolean {
    return this.pending.get(replica)?.kind === 'deadline';
  }

  /** Whether the replica's silence is not judged yet: its deadline, or the wait for a verdict, is pending. */
  private awaitsJudgement(replica: number): boolean {
    const kind = this.pending.get(replica)?.kind;
    return kind === 'deadline' || kind === 'verdict';
  }

  private judgesSilence(): boolean {
    return this.judge?.judgesNow() ?? true;
  }

  /**
   * A deadline, the end of a wait for a verdict, or a forget time came (its turn came): the replica
   * dies (or, judged elsewhere, waits for the verdict), or is forgotten.
   */
  private onSilence(silence: PendingSilence): void {
    const { node, replica } = silence;
    this.pending.delete(replica);
    if (node.replicas.slotOf(this.table.id(replica)) !== replica) return;
    if (silence.kind === 'forget') {
      if (this.table.health(replica) === 'dead') this.removeReplica(node, replica, true);
      return;
    }
    if (silence.kind === 'deadline' && !this.judgesSilence()) {
      // Another member judges: its verdict is awaited, and judged here only if none comes in time.
      const waitMs = this.judge?.verdictWaitMs ?? 0;
      this.schedule(node, replica, 'verdict', silence.afterSeconds, this.clock.now() + waitMs);
      return;
    }
    this.judgeSilence(silence);
  }

  /** This model judges the replica dead of silence, and hands the verdict to the judge to share. */
  private judgeSilence({ node, replica, afterSeconds }: PendingSilence): void {
    const report = this.table.reportOf(replica)?.report;
    if (!report) return;
    this.dieOfSilence(node, replica, report.intervalSeconds, afterSeconds - report.intervalSeconds);
    this.judge?.judged({
      kind: 'silence',
      subject: this.refOf(node, replica),
      atMs: this.clock.now(),
      reportAtMs: report.atMs,
      intervalSeconds: report.intervalSeconds,
    });
  }

  private dieOfSilence(
    node: NodeState,
    replica: number,
    intervalSeconds: number,
    delaySeconds: number,
  ): void {
    const delayKey = node.spec.mode === 'push' ? 'push_delay_dead' : 'local_delay_dead';
    if (node.spec.mode === 'local') this.table.reportState(replica).reportedHealth = 'dead';
    const reason = this.silenceReason({ intervalSeconds }, delaySeconds, delayKey);
    this.setReplicaHealth(node, replica, 'dead', reason, this.clock.now());
    this.armForget(node, replica);
  }

  /** Cancels the replica's pending deadline or forget time. */
  private clearSilence(replica: number): void {
    const silence = this.pending.get(replica);
    if (!silence) return;
    this.silences.cancel(silence);
    this.pending.delete(replica);
  }

  /** With a forget age for its mode, forgets a replica dead by silence that long after it died. */
  private armForget(node: NodeState, replica: number): void {
    const afterSeconds =
      node.spec.mode === 'push'
        ? this.settings.pushForgetAfterSeconds
        : node.spec.mode === 'local'
          ? this.settings.localForgetAfterSeconds
          : undefined;
    if (afterSeconds === undefined) return;
    this.schedule(node, replica, 'forget', afterSeconds, this.table.sinceMs(replica) + afterSeconds * 1000);
  }

  /** Takes a push or local replica out of its node: a reporter's flush, or forgetting it. */
  private removeReplica(node: NodeState, replica: number, forgotten: boolean): void {
    const now = this.clock.now();
    this.lastUpdateMs = now;
    this.takeOut(node, replica, forgotten);
    this.propagate(node, now, forgotten);
    this.events.emit('updated', { atMs: now, subject: nodeRefOf(node) });
  }

  /** Takes a replica out of its node and the table, and says so; judging the node is the caller's. */
  private takeOut(node: NodeState, replica: number, forgotten: boolean): void {
    const ref = this.refOf(node, replica);
    const previous = this.table.health(replica);
    this.clearSilence(replica);
    node.replicas.remove(replica);
    this.table.remove(replica);
    node.counts.remove(previous);
    this.events.emit('replica-removed', { ...ref, previous, ...(forgotten && { forgotten }) });
  }

  private setReplicaHealth(
    node: NodeState,
    replica: number,
    health: Health,
    reason: string | undefined,
    now: number,
    /** Whether something else visible changed with it; when not, `updated` waits for a real change. */
    otherChange = true,
  ): void {
    this.lastUpdateMs = now;
    const { table } = this;
    const previous = table.health(replica);
    const previousReason = table.reason(replica);
    // Sources give a healthy replica a reason only as a note (a poll quorum's "seen down from …").
    table.setReason(replica, reason);
    if (previous !== health) {
      table.setHealth(replica, health);
      table.setSinceMs(replica, now);
      node.counts.move(previous, health);
      this.events.emit('replica-changed', {
        subject: this.refOf(node, replica),
        previous,
        current: health,
        atMs: now,
        reason,
      });
      this.propagate(node, now);
    }
    if (otherChange || previous !== health || previousReason !== reason) {
      this.events.emit('updated', { atMs: now, subject: nodeRefOf(node) });
    }
  }

  /**
   * Brings node, service and page health up to date from one node's counts, emitting each change
   * (each level's counts move with it); O(1) whatever the number of replicas.
   */
  private propagate(node: NodeState, now: number, forgotten = false): void {
    if (!this.updateNodeHealth(node, now, forgotten)) return;
    const service = this.serviceStates.get(node.spec.serviceId);
    if (!service || !this.updateServiceHealth(service, now, forgotten)) return;
    this.updatePageHealth(now, forgotten);
  }

  /** The node's health from its counts; emits, moves its service's counts and returns true on a change. */
  private updateNodeHealth(node: NodeState, now: number, forgotten = false): boolean {
    const previous = node.health;
    const health = node.counts.worst;
    if (health === previous) return false;
    node.health = health;
    const { serviceId, id: nodeId } = node.spec;
    this.serviceStates.get(serviceId)?.counts.move(previous, health);
    this.events.emit('node-changed', {
      subject: { serviceId, nodeId },
      previous,
      current: health,
      atMs: now,
      ...(forgotten && { forgotten }),
    });
    return true;
  }

  /** The service's health from its counts; emits, moves the page's counts and returns true on a change. */
  private updateServiceHealth(service: ServiceState, now: number, forgotten = false): boolean {
    const previous = service.health;
    const health = service.counts.worst;
    if (health === previous) return false;
    service.health = health;
    this.pageCountsState.move(previous, health);
    this.events.emit('service-changed', {
      subject: { serviceId: service.spec.id },
      previous,
      current: health,
      atMs: now,
      ...(forgotten && { forgotten }),
    });
    return true;
  }

  /** The page's health from its counts; emits on a change. */
  private updatePageHealth(now: number, forgotten = false): void {
    const previous = this.pageHealthValue;
    const health = this.pageCountsState.worst;
    if (health === previous) return;
    this.pageHealthValue = health;
    this.events.emit('page-changed', {
      subject: null,
      previous,
      current: health,
      atMs: now,
      ...(forgotten && { forgotten }),
    });
  }
}

function sameDelays(a: HealthModelSettings, b: HealthModelSettings): boolean {
  return (
    a.pushDelayDeadSeconds === b.pushDelayDeadSeconds && a.localDelayDeadSeconds === b.localDelayDeadSeconds
  );
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/**
 * Whether the model already took a newer observation of this subject. Only when the clock has not
 * gone back past that observation: after a backward step (NTP, a VM restored), every fresh report
 * would look older than the last one, and ignoring them would kill healthy push replicas.
 */
function isStale(lastAtMs: number | undefined, atMs: number, now: number): boolean {
  return lastAtMs !== undefined && atMs < lastAtMs && now >= lastAtMs;
}

function nodeRefOf(node: NodeState): NodeRef {
  return { serviceId: node.spec.serviceId, nodeId: node.spec.id };
}
