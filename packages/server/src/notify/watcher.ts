import { type Clock, setLongTimeout } from '../time/clock.js';
import {
  type AlertPolicy,
  type AlertState,
  type Decision,
  nextReminderAtMs,
  observe,
} from './alert-policy.js';
import type { ScopeView } from './scope.js';

export interface WatcherDependencies {
  clock: Clock;
  policy: AlertPolicy;
  /** The scope's status and replicas now. */
  view: () => ScopeView;
  /** Extension: a dead scope is only observed once it has stayed dead this long. */
  delayMs: number;
  ignoreRemindersUntilMs: () => number | undefined;
  /** Called on every state change, with the alert it decided if any and the state it left. */
  commit: (state: AlertState, decision: Decision | undefined, view: ScopeView, previous: AlertState) => void;
}

/**
 * Runs the alert policy for one scope over time: observes on every model change and arms a timer
 * for the next reminder (or for the end of a channel's delay), so nothing waits for a 10 s sweep.
 */
export class Watcher {
  private deadSinceMs: number | undefined;
  private cancelTimer: (() => void) | undefined;

  constructor(
    private current: AlertState,
    private readonly deps: WatcherDependencies,
  ) {}

  get state(): AlertState {
    return this.current;
  }

  /**
   * Observes the scope now: Vigil's aggregation pass, for this scope only. `forgotten`: the change
   * came from forgetting dead replicas, which is taken without an alert.
   */
  evaluate(forgotten = false): void {
    const { clock, policy, delayMs } = this.deps;
    const nowMs = clock.now();
    const view = this.deps.view();
    if (view.status !== 'dead') this.deadSinceMs = undefined;
    else this.deadSinceMs ??= nowMs;
    // A delayed channel hears of dead only once it lasts; until then the scope is as it was.
    const delayEndsAtMs = this.deadSinceMs === undefined ? undefined : this.deadSinceMs + delayMs;
    const held = delayEndsAtMs !== undefined && nowMs < delayEndsAtMs && this.current.lastStatus !== 'dead';
    if (!held) {
      const step = observe(
        this.current,
        {
          status: view.status,
          deadReplicas: view.dead,
          nowMs,
          ignoreRemindersUntilMs: this.ignoreUntil(),
          forgotten,
        },
        policy,
      );
      const previous = this.current;
      const changed = JSON.stringify(step.state) !== JSON.stringify(previous);
      this.current = step.state;
      if (changed || step.decision) this.deps.commit(step.state, step.decision, view, previous);
    }
    this.arm(held ? delayEndsAtMs : nextReminderAtMs(this.current, policy, this.ignoreUntil()));
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private ignoreUntil(): number | undefined {
    return this.deps.ignoreRemindersUntilMs();
  }

  private arm(atMs: number | undefined): void {
    this.stop();
    if (atMs === undefined) return;
    this.cancelTimer = setLongTimeout(this.deps.clock, () => this.evaluate(), atMs - this.deps.clock.now());
  }
}
