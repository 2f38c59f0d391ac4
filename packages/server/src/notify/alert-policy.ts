import type { Health } from '../model/health.js';

/**
 * Vigil's notification decision (spec §5) as a pure state machine: given the state left by the last
 * observation and a new one (a status and the time), it says whether to alert and what the state becomes.
 * Vigil samples every 10 s; callers here observe on every change and ask when the next reminder is due.
 */

export const BACKOFF_FUNCTIONS = ['none', 'linear', 'square', 'cubic'] as const;
export type BackoffFunction = (typeof BACKOFF_FUNCTIONS)[number];

/** The power the backoff counter is raised to: interval × counter^k. */
const BACKOFF_EXPONENT: Record<BackoffFunction, number> = { none: 0, linear: 1, square: 2, cubic: 3 };

/** Vigil's escalate counter is a u16 that saturates. */
const ESCALATE_MAX = 65_535;

export interface AlertPolicy {
  /** `reminder_interval`; undefined means no reminders. */
  reminderIntervalMs?: number;
  reminderBackoffFunction: BackoffFunction;
  reminderBackoffLimit: number;
  reminderEscalate: boolean;
  /** Extension (upstream #82, #105): changes into and out of sick are told too. */
  notifySick: boolean;
}

/** What survives between observations (and restarts, when stored). */
export interface AlertState {
  /** The status of the last observation: Vigil's stored global status. */
  lastStatus: Health;
  /** When the last alert was decided (Vigil's `notified`); startup alerts do not set it. */
  notifiedAtMs?: number;
  escalateCounter: number;
  backoffCounter: number;
  /** The dead replicas the last alert named, to tell which ones recovered (upstream #80). */
  lastReplicas: string[];
  /**
   * Extension: when the first alert of the outage still open was decided. Every alert of one outage
   * names it, so incident channels (PagerDuty, Opsgenie) trigger, remind and resolve one incident.
   */
  incidentSinceMs?: number;
}

/** Vigil's boot state (spec §4.8). */
export const INITIAL_ALERT_STATE: AlertState = {
  lastStatus: 'healthy',
  escalateCounter: 0,
  backoffCounter: 1,
  lastReplicas: [],
};

export interface Observation {
  status: Health;
  /** Dead replicas as `service:node:replica`, in config order. */
  deadReplicas: string[];
  nowMs: number;
  /** The manager API's reminder-ignore window: reminders wait for its end, changes do not. */
  ignoreRemindersUntilMs?: number;
  /**
   * Extension: the status changed only because dead replicas were forgotten (`*_forget_after`).
   * Nothing recovered, so the new status is taken without an alert.
   */
  forgotten?: boolean;
}

/** An alert to send: Vigil's dispatched data, without the startup case. */
export interface Decision {
  kind: 'changed' | 'reminder';
  status: Health;
  replicas: string[];
  escalated?: number;
  /** Set on a change out of dead: replicas the last alert named that are no longer dead. */
  recovered?: string[];
  /** The outage this alert belongs to, absent when none is open or ending (see `incidentStep`). */
  incident?: DecisionIncident;
}

export interface DecisionIncident {
  /** When its first alert was decided. */
  sinceMs: number;
  /** This alert ends it: the status left the ones the watcher alerts on. */
  resolved: boolean;
}

export interface Step {
  state: AlertState;
  decision?: Decision;
}

/** Vigil's should-notify on a change: into or out of dead, and with `notifySick`, any change at all. */
function changeIsTold(previous: Health, current: Health, policy: AlertPolicy): boolean {
  if (previous === current) return false;
  return previous === 'dead' || current === 'dead' || policy.notifySick;
}

/**
 * When the next reminder is due, or undefined when none is (not dead, no interval, nothing told yet).
 * It is `notified + interval × backoff^k`, pushed to the end of the ignore window if that is later.
 */
export function nextReminderAtMs(
  state: AlertState,
  policy: AlertPolicy,
  ignoreRemindersUntilMs?: number,
): number | undefined {
  const interval = policy.reminderIntervalMs;
  if (state.lastStatus !== 'dead' || interval === undefined || state.notifiedAtMs === undefined)
    return undefined;
  const dueAt =
    state.notifiedAtMs + interval * state.backoffCounter ** BACKOFF_EXPONENT[policy.reminderBackoffFunction];
  return Math.max(dueAt, ignoreRemindersUntilMs ?? dueAt);
}

/** One aggregation pass of spec §5 for one status observation. */
export function observe(state: AlertState, observation: Observation, policy: AlertPolicy): Step {
  const { status, deadReplicas, nowMs } = observation;
  const changed = state.lastStatus !== status;
  let notify = changeIsTold(state.lastStatus, status, policy) && !observation.forgotten;
  let { escalateCounter, backoffCounter } = state;
  if (changed && status !== 'dead') {
    escalateCounter = 0;
    backoffCounter = 1;
  }
  if (!changed && !notify && status === 'dead') {
    const dueAt = nextReminderAtMs(state, policy, observation.ignoreRemindersUntilMs);
    if (dueAt !== undefined && nowMs >= dueAt) {
      notify = true;
      if (policy.reminderEscalate) escalateCounter = Math.min(escalateCounter + 1, ESCALATE_MAX);
      if (policy.reminderBackoffFunction !== 'none' && backoffCounter < policy.reminderBackoffLimit) {
        backoffCounter += 1;
      }
    }
  }
  const next: AlertState = { ...state, lastStatus: status, escalateCounter, backoffCounter };
  // A forgotten replica is not one to name as recovered later.
  if (observation.forgotten)
    next.lastReplicas = state.lastReplicas.filter((each) => deadReplicas.includes(each));
  if (!notify) return { state: next };

  const decision: Decision = { kind: changed ? 'changed' : 'reminder', status, replicas: deadReplicas };
  if (escalateCounter > 0) decision.escalated = escalateCounter;
  if (changed && state.lastStatus === 'dead') {
    decision.recovered = state.lastReplicas.filter((replica) => !deadReplicas.includes(replica));
  }
  const { incidentSinceMs, ...told } = { ...next, notifiedAtMs: nowMs, lastReplicas: deadReplicas };
  const incident = incidentStep(incidentSinceMs, status, nowMs, policy);
  if (incident) decision.incident = incident;
  const open = incident && !incident.resolved;
  return { state: open ? { ...told, incidentSinceMs: incident.sinceMs } : told, decision };
}

/**
 * The incident an alert belongs to. It opens with an alert on dead (or on sick, where sick is told)
 * and every alert keeps it open until one on another status, which resolves it: without
 * `notifySick`, a change from dead to sick is the last alert the outage gets, so it ends it too.
 */
function incidentStep(
  openSinceMs: number | undefined,
  status: Health,
  nowMs: number,
  policy: AlertPolicy,
): DecisionIncident | undefined {
  const alerting = status === 'dead' || (status === 'sick' && policy.notifySick);
  if (alerting) return { sinceMs: openSinceMs ?? nowMs, resolved: false };
  return openSinceMs === undefined ? undefined : { sinceMs: openSinceMs, resolved: true };
}

/**
 * Whether to send Vigil's startup alert (status healthy, changed, no replicas) for a state restored
 * at boot: not while the restored state is dead, since the outage has been told and goes on.
 */
export function startupIsTold(restored: AlertState): boolean {
  return restored.lastStatus !== 'dead';
}
