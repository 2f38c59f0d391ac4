import type { Health } from '../model/health.js';

/** Vigil's three notification kinds (spec §6.1): startup, a page status change, or a reminder while dead. */
export type AlertKind = 'startup' | 'changed' | 'reminder';

/** One notification, as every channel formats it. */
export interface Alert {
  /** Stable id (outbox key); channels may use it for idempotency. */
  id: string;
  kind: AlertKind;
  /** The page status the alert reports. */
  status: Health;
  /** Dead replicas as `service:node:replica`, in config order; empty on startup and recovery (Vigil's NODES). */
  replicas: string[];
  /** Reminder escalation counter when `reminder_escalate` is on and it is > 0. */
  escalated?: number;
  /** When the alert was decided, ms since the epoch; TIME in messages is formatted from it. */
  atMs: number;
  page: { title: string; url: string };
  /** Extension (upstream #80): replicas that recovered since the last alert, for recovery messages. */
  recovered?: string[];
  /** Extension: sick replicas, for channels that opted in to hear of sick (upstream #82, #105). */
  sick?: string[];
  /** Extension: a sentence saying what happened when it is not the page's status (a cluster member stopped). */
  notice?: string;
  /** Set by `vigil notify-test`: the message says it is a test. */
  test?: boolean;
  /** Extension: why each replica named in `replicas` or `sick` is not healthy, where the model knows. */
  reasons?: Record<string, string>;
  /**
   * Extension: the outage this alert belongs to, for channels that keep one incident per outage
   * (PagerDuty, Opsgenie); absent on startup and on alerts outside any outage.
   */
  incident?: AlertIncident;
}

export interface AlertIncident {
  /** Stable for the whole outage: the same on its first alert, its reminders and the one ending it. */
  key: string;
  /** When its first alert was decided, ms since the epoch. */
  sinceMs: number;
  /** This alert ends it. */
  resolved: boolean;
}

/** One delivery channel. `send` resolves once the endpoint accepted the alert and throws otherwise. */
export interface Channel {
  /** The channel's name (`slack`), as its definition in registry.ts gives it. */
  readonly name: string;
  /** Whether Vigil would send this alert to this channel at all (`reminders_only` filter). */
  accepts(alert: Alert): boolean;
  send(alert: Alert, signal: AbortSignal): Promise<void>;
}

/**
 * One configured target of a channel: `slack` for a `[notify.slack]` table, `slack#<name>` or
 * `slack#<position>` for an entry of a `[[notify.slack]]` array (see targets.ts). Deliveries,
 * workers and metrics are per target.
 */
export type TargetId = string;
