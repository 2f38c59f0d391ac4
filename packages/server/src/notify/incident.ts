import { createHash } from 'node:crypto';
import type { DecisionIncident } from './alert-policy.js';
import type { Alert, AlertIncident } from './types.js';

/**
 * The incident key: a digest of the page, the watcher and the outage's first alert time, so it is
 * the same for every alert of one outage, across restarts (the start is stored with the watcher's
 * state), and differs between watchers, pages and outages. Short and opaque: it goes into URLs.
 */
export function incidentKey(pageUrl: string, watcherKey: string, sinceMs: number): string {
  const digest = createHash('sha256').update(`${pageUrl}\n${watcherKey}\n${sinceMs}`).digest('hex');
  return `vigil-${digest.slice(0, 32)}`;
}

export function alertIncident(
  page: Alert['page'],
  watcherKey: string,
  incident: DecisionIncident,
): AlertIncident {
  return { key: incidentKey(page.url, watcherKey, incident.sinceMs), ...incident };
}

/** The reasons known for the replicas an alert names (dead, then sick), or undefined if none is. */
export function namedReasons(
  alert: Pick<Alert, 'replicas' | 'sick'>,
  reasons: Record<string, string>,
): Record<string, string> | undefined {
  const named = [...alert.replicas, ...(alert.sick ?? [])].flatMap((replica) => {
    const reason = reasons[replica];
    return reason === undefined ? [] : [[replica, reason] as const];
  });
  return named.length > 0 ? Object.fromEntries(named) : undefined;
}

/** The alert's incident; an alert outside any (a drill from `vigil notify-test`) is one of its own. */
export function incidentOf(alert: Alert): AlertIncident {
  return alert.incident ?? { key: `vigil-alert-${alert.id}`, sinceMs: alert.atMs, resolved: false };
}
