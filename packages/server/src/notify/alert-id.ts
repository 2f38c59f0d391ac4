import { createHash } from 'node:crypto';
import type { Health } from '../model/health.js';
import type { AlertKind } from './types.js';

/** What an alert tells: a subject moving from one status to another, after the state it moves from. */
export interface Transition {
  pageUrl: string;
  /** The watcher (`page`, a channel scope) or another subject (a cluster member). */
  subject: string;
  kind: AlertKind;
  from: Health;
  to: Health;
  /**
   * When the state it leaves was told (the previous alert's time, stored with the watcher's state),
   * or, for a subject never told before, when this transition was seen.
   */
  sinceMs: number;
}

/**
 * The alert's id from its transition, not a random one: two deciders reading the same stored state
 * (an alert leader paused past its lease and its successor) make the same id, so the outbox keeps
 * one and receivers can drop a repeat by its `Idempotency-Key`. Each alert stores a new told time,
 * so the next transition of the subject gets another id.
 */
export function transitionAlertId({ pageUrl, subject, kind, from, to, sinceMs }: Transition): string {
  const digest = createHash('sha256')
    .update([pageUrl, subject, kind, from, to, sinceMs].join('\n'))
    .digest('hex');
  return `vigil-${digest.slice(0, 32)}`;
}
