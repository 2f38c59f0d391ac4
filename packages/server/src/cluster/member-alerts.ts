import { transitionAlertId } from '../notify/alert-id.js';
import { type AlertState, INITIAL_ALERT_STATE } from '../notify/alert-policy.js';
import { alertIncident } from '../notify/incident.js';
import type { WatcherStateRecord } from '../notify/outbox.js';
import type { Alert } from '../notify/types.js';
import type { ClusterMember, ClusterView } from '../store/types.js';

/** The watcher-state key that records what was told about a member. */
export function memberWatcherKey(instanceId: string): string {
  return `cluster-member:${instanceId}`;
}

/** How a member is named in alerts, where replicas go: `cluster:<vantage>:<instance>`. */
export function memberPath(member: Pick<ClusterMember, 'instanceId' | 'vantage'>): string {
  return `cluster:${member.vantage}:${member.instanceId}`;
}

export interface MemberAlert {
  alert: Omit<Alert, 'page'>;
  watcher: WatcherStateRecord;
}

/**
 * Watches the watchers: what the leader tells when another member's lease lapses ("monitor a (eu)
 * stopped at …", as a dead alert naming `cluster:eu:a`) and when it heartbeats again (a recovery).
 * Pure: the told states come from the store (watcher states, saved with each alert), so a new
 * leader neither repeats what its predecessor told nor misses what it did not.
 */
export function memberAlerts(options: {
  view: ClusterView;
  told: ReadonlyMap<string, AlertState>;
  self: string;
  pageUrl: string;
  nowMs: number;
}): MemberAlert[] {
  const { view, told, self, pageUrl, nowMs } = options;
  return view.members.flatMap((member) => {
    if (member.instanceId === self) return [];
    const key = memberWatcherKey(member.instanceId);
    const previous = told.get(key) ?? INITIAL_ALERT_STATE;
    const status = member.alive ? 'healthy' : 'dead';
    if (previous.lastStatus === status) return [];
    const path = memberPath(member);
    const lastSeen = new Date(member.heartbeatAtMs).toISOString();
    const notice = member.alive
      ? `monitor ${member.instanceId} (${member.vantage}) is back at ${lastSeen}`
      : `monitor ${member.instanceId} (${member.vantage}) stopped at ${lastSeen}`;
    // The outage starts at the member's last heartbeat, the same for whichever leader sees it.
    const sinceMs = previous.incidentSinceMs ?? member.heartbeatAtMs;
    const id = transitionAlertId({
      pageUrl,
      subject: key,
      kind: 'changed',
      from: previous.lastStatus,
      to: status,
      sinceMs: previous.notifiedAtMs ?? member.heartbeatAtMs,
    });
    const state: AlertState = {
      ...INITIAL_ALERT_STATE,
      lastStatus: status,
      notifiedAtMs: nowMs,
      lastReplicas: member.alive ? [] : [path],
      ...(!member.alive && { incidentSinceMs: sinceMs }),
    };
    const alert: Omit<Alert, 'page'> = {
      id,
      kind: 'changed',
      status,
      replicas: member.alive ? [] : [path],
      atMs: nowMs,
      notice,
      incident: alertIncident({ title: '', url: pageUrl }, key, { sinceMs, resolved: member.alive }),
      ...(member.alive ? { recovered: [path] } : { reasons: { [path]: notice } }),
    };
    return [{ alert, watcher: { key, state } }];
  });
}
