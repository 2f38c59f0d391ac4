import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { BrandingConfig, NotifyConfig } from '../config/schema.js';
import type { MaintenanceView } from '../maintenance/types.js';
import { NO_NOTIFICATION_METRICS, type NotificationMetrics } from '../metrics/notification-outcomes.js';
import { worse } from '../model/health.js';
import type { HealthModel } from '../model/health-model.js';
import { type Clock, setLongTimeout } from '../time/clock.js';
import { transitionAlertId } from './alert-id.js';
import {
  type AlertPolicy,
  type AlertState,
  type Decision,
  INITIAL_ALERT_STATE,
  startupIsTold,
} from './alert-policy.js';
import { type ChannelOptions, optionsKey } from './channel-options.js';
import { ATTEMPT_TIMEOUT_MS, ChannelWorker, type DeliverySettings, retryDelaysMs } from './delivery.js';
import type { ReminderIgnoreWindow } from './ignore-window.js';
import { alertIncident, namedReasons } from './incident.js';
import type { Delivery, DeliveryQuery, Outbox, WatcherStateRecord } from './outbox.js';
import { buildChannels, type ConfiguredChannel } from './registry.js';
import { Scope, type ScopeView } from './scope.js';
import { whenFirstChecked } from './settle.js';
import type { Alert, AlertKind, TargetId } from './types.js';
import { Watcher } from './watcher.js';

/** The `[notify]` settings the dispatcher runs on (Vigil's keys and ours). */
export interface DispatcherSettings {
  startupNotification: boolean;
  reminders: Omit<AlertPolicy, 'notifySick'>;
  delivery: DeliverySettings;
  /** Judge the page after this long even if some configured replica has not been checked yet. */
  settleTimeoutMs: number;
}

export function dispatcherSettings(notify: NotifyConfig): DispatcherSettings {
  return {
    startupNotification: notify.startup_notification,
    reminders: {
      reminderIntervalMs:
        notify.reminder_interval === undefined ? undefined : notify.reminder_interval * 1000,
      reminderBackoffFunction: notify.reminder_backoff_function,
      reminderBackoffLimit: notify.reminder_backoff_limit,
      reminderEscalate: notify.reminder_escalate,
    },
    delivery: { retryDelaysMs: retryDelaysMs(notify.retry_tail), attemptTimeoutMs: ATTEMPT_TIMEOUT_MS },
    settleTimeoutMs: notify.settle_timeout * 1000,
  };
}

/** Page title and normalised URL, as alerts carry them. */
export function alertPage(branding: BrandingConfig): Alert['page'] {
  return { title: branding.page_title, url: new URL(branding.page_url).href };
}

export interface DispatcherDependencies {
  model: HealthModel;
  channels: ConfiguredChannel[];
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  ignoreWindow: ReminderIgnoreWindow;
  page: Alert['page'];
  /** Prometheus counters of attempts by channel and outcome. */
  metrics?: NotificationMetrics;
  /**
   * This instance's name on delivery leases (default: the host name). Instances sharing a database
   * need different ones; a restarted instance keeps its own, so it resumes its leases at once.
   */
  owner?: string;
  /** Nodes under maintenance raise no alert; when a window ends, the page is judged again. */
  maintenance?: Pick<MaintenanceView, 'isUnderMaintenance' | 'onChange'>;
}

/** Targets with the same options: one scope, one watcher, the same alerts. */
interface Group {
  key: string;
  options: ChannelOptions;
  scope: Scope;
  targets: ConfiguredChannel[];
  watcher?: Watcher;
}

/**
 * Turns model changes into alerts and alerts into deliveries. Each group of channels with the same
 * options has its own watcher (so delays, sick alerts and filters work per channel); without those
 * options every channel shares one, which makes Vigil's global decisions. Alerts go to the outbox
 * before any attempt, and each channel's worker delivers them on its own, never blocking the model.
 */
export class Dispatcher {
  private readonly groups: Group[];
  private readonly workers = new Map<TargetId, ChannelWorker>();
  private readonly cleanups: Array<() => void> = [];
  /** Outbox writes, chained so they land in decision order. */
  private writes: Promise<void> = Promise.resolve();
  private isSettled = false;
  private stopped = false;

  constructor(
    private readonly settings: DispatcherSettings,
    private readonly deps: DispatcherDependencies,
  ) {
    const byKey = new Map<string, Group>();
    const { maintenance } = deps;
    const exempt =
      maintenance &&
      ((serviceId: string, nodeId: string) => maintenance.isUnderMaintenance(serviceId, nodeId));
    for (const target of deps.channels) {
      const { options } = target;
      const key = optionsKey(options);
      let group = byKey.get(key);
      if (!group) {
        group = { key, options, scope: new Scope(deps.model, options.scope, exempt), targets: [] };
        byKey.set(key, group);
      }
      group.targets.push(target);
      const unknown = options.scope ? Scope.unknownReferences(deps.model, options.scope) : [];
      if (unknown.length > 0) {
        deps.logger.warn(
          `[${target.where}] filters on ${unknown.join(', ')}, which the config does not have`,
        );
      }
    }
    this.groups = [...byKey.values()];
  }

  /**
   * Restores the watchers' states, sends the startup alert, resumes undelivered alerts, and starts
   * judging the page once it has settled (or after the settle timeout). `takeOver` is for a
   * dispatcher replacing a stopped one on a reload: no startup alert, and settled if it was.
   */
  async start(takeOver?: { settled: boolean }): Promise<void> {
    const { deps, settings } = this;
    const states = await deps.outbox.loadWatcherStates();
    for (const group of this.groups) {
      const restored = states.get(group.key) ?? INITIAL_ALERT_STATE;
      group.watcher = new Watcher(restored, {
        clock: deps.clock,
        policy: { ...settings.reminders, notifySick: group.options.notifySick },
        view: () => group.scope.view(),
        delayMs: group.options.delayMs,
        ignoreRemindersUntilMs: () => deps.ignoreWindow.untilMs,
        commit: (state, decision, view, previous) => this.commit(group, state, previous, decision, view),
      });
      if (!takeOver && settings.startupNotification && startupIsTold(restored)) {
        // Not a transition: every start tells it, so its id is new each time.
        const startup = this.alert(randomUUID(), 'startup', { status: 'healthy', replicas: [] });
        this.dispatch(group.targets, startup, { key: group.key, state: restored });
      }
    }
    for (const { target, channel } of deps.channels) {
      const worker = new ChannelWorker(target, channel, {
        outbox: deps.outbox,
        clock: deps.clock,
        settings: settings.delivery,
        logger: deps.logger,
        metrics: deps.metrics ?? NO_NOTIFICATION_METRICS,
        owner: deps.owner ?? hostname(),
      });
      this.workers.set(target, worker);
      worker.start();
    }
    // Every page, service and scope change starts with a node change, and the node is up to date by then.
    this.cleanups.push(
      deps.model.events.on('node-changed', ({ forgotten }) => this.evaluate(forgotten)),
      deps.ignoreWindow.onChange(() => this.evaluate()),
      deps.maintenance?.onChange(() => this.evaluateExemptions()) ?? (() => {}),
      setLongTimeout(deps.clock, () => this.settled(), settings.settleTimeoutMs),
      whenFirstChecked(deps.model, () => this.settled()),
    );
    if (takeOver?.settled) this.settled();
    this.evaluate();
  }

  /** Whether it judges the page yet (the first probe rounds are done, or the settle timeout passed). */
  get hasSettled(): boolean {
    return this.isSettled;
  }

  /**
   * The model now reflects the world: the first probe rounds are done. Until then the dispatcher does
   * not judge, so a restart never reads boot's all-healthy model as a recovery.
   */
  settled(): void {
    if (this.isSettled) return;
    this.isSettled = true;
    this.evaluate();
  }

  /** Deliveries with their attempts, newest first: `GET /manager/notifications`. */
  listDeliveries(query: DeliveryQuery): Promise<Delivery[]> {
    return this.deps.outbox.recentDeliveries(query);
  }

  /** Stops deciding, then lets each channel deliver what is due for up to `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    for (const group of this.groups) group.watcher?.stop();
    await this.writes;
    await Promise.all([...this.workers.values()].map((worker) => worker.stop(graceMs)));
  }

  private evaluate(forgotten = false): void {
    if (!this.isSettled || this.stopped) return;
    for (const group of this.groups) group.watcher?.evaluate(forgotten);
  }

  /**
   * A maintenance window started or ended. A scope it made better is taken without an alert, as a
   * forgetting is: a node going under maintenance recovered nothing, and its reminders stop. One it
   * made worse (a window ended on a failing node) is told as any change.
   */
  private evaluateExemptions(): void {
    if (!this.isSettled || this.stopped) return;
    for (const { scope, watcher } of this.groups) {
      if (!watcher) continue;
      const before = watcher.state.lastStatus;
      const now = scope.status;
      watcher.evaluate(now !== before && worse(now, before) === before);
    }
  }

  /**
   * An alert no watcher decided (a cluster member's lease lapsed or came back), to every channel
   * that accepts it, stored with `watcher`, the state that records it was told.
   */
  announce(alert: Omit<Alert, 'page'>, watcher: WatcherStateRecord): void {
    if (this.stopped) return;
    this.dispatch(this.deps.channels, { ...alert, page: this.deps.page }, watcher);
  }

  private commit(
    group: Group,
    state: AlertState,
    previous: AlertState,
    decision?: Decision,
    view?: ScopeView,
  ): void {
    if (!decision) {
      this.write(() => this.deps.outbox.saveWatcherState({ key: group.key, state }));
      return;
    }
    const { kind, incident, ...data } = decision;
    const id = transitionAlertId({
      pageUrl: this.deps.page.url,
      subject: group.key,
      kind,
      from: previous.lastStatus,
      to: decision.status,
      sinceMs: previous.notifiedAtMs ?? this.deps.clock.now(),
    });
    const alert = this.alert(id, kind, data);
    if (group.options.notifySick && view) alert.sick = view.sick;
    const reasons = view && namedReasons(alert, view.reasons());
    if (reasons) alert.reasons = reasons;
    if (incident) alert.incident = alertIncident(this.deps.page, group.key, incident);
    this.dispatch(group.targets, alert, { key: group.key, state });
  }

  private alert(id: string, kind: AlertKind, data: Omit<Decision, 'kind' | 'incident'>): Alert {
    return { id, kind, ...data, atMs: this.deps.clock.now(), page: this.deps.page };
  }

  private dispatch(targets: readonly ConfiguredChannel[], alert: Alert, watcher: WatcherStateRecord): void {
    const channels = targets.filter(({ channel }) => channel.accepts(alert)).map(({ target }) => target);
    this.deps.logger.info(
      { alert: alert.id, kind: alert.kind, status: alert.status, replicas: alert.replicas, channels },
      `notification ${alert.kind} (${alert.status}) for ${channels.length > 0 ? channels.join(', ') : 'no channel'}`,
    );
    this.write(async () => {
      if (channels.length === 0) return this.deps.outbox.saveWatcherState(watcher);
      await this.deps.outbox.enqueue({ alert, channels, nowMs: alert.atMs, watcher });
      for (const name of channels) this.workers.get(name)?.wake();
    });
  }

  private write(task: () => Promise<void>): void {
    this.writes = this.writes.then(task).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'cannot write to the notification outbox');
    });
  }
}

/**
 * The dispatcher for `[notify]`, in two steps: the channels are built from the `[notify.*]` tables
 * now (throws ChannelConfigError on a bad table), the dispatcher by the returned function once the
 * model it watches holds the config's services (its scopes list their nodes). Undefined without
 * `[notify]`, where Vigil sends nothing at all.
 */
export function prepareDispatcher(settings: {
  notify?: NotifyConfig;
  branding: BrandingConfig;
}): ((deps: Omit<DispatcherDependencies, 'channels' | 'page'>) => Dispatcher) | undefined {
  const { notify, branding } = settings;
  if (!notify) return undefined;
  const dispatcher = dispatcherSettings(notify);
  const channels = buildChannels(notify, { timeoutMs: dispatcher.delivery.attemptTimeoutMs });
  return (deps) => new Dispatcher(dispatcher, { ...deps, channels, page: alertPage(branding) });
}
