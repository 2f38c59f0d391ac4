import type { Announcement } from '../../announcements/types.js';
import type { Uptime } from '../../history/reader.js';
import { type MaintenanceView, type MaintenanceWindow, phaseOf } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import type { NodeView } from '../../model/views.js';
import type { Incident, RollupRow } from '../../store/types.js';

/** Replicas listed per node in `/api/v1/status`; push nodes can have thousands. */
const REPLICAS_SHOWN = 100;

const iso = (ms: number) => new Date(ms).toISOString();
const ratio = (value: number | null) => (value === null ? null : Math.round(value * 1e6) / 1e6);

/**
 * Replica ids (often private addresses) and failure reasons (which may name them) are public only
 * for nodes with `reveal_replica_name`, as on the page.
 */
function revealed(model: HealthModel, serviceId: string, nodeId: string): boolean {
  return model.node(serviceId, nodeId)?.spec.revealReplicaName ?? false;
}

export function statusView(model: HealthModel, maintenance?: Pick<MaintenanceView, 'isUnderMaintenance'>) {
  return {
    status: model.pageHealth,
    updated_at: model.updatedAtMs === undefined ? null : iso(model.updatedAtMs),
    services: Array.from(model.services.values(), (service) => ({
      id: service.spec.id,
      label: service.spec.label,
      status: service.health,
      nodes: Array.from(service.nodes.values(), (node) => ({
        ...nodeView(node),
        under_maintenance: maintenance?.isUnderMaintenance(service.spec.id, node.spec.id) ?? false,
      })),
    })),
  };
}

function nodeView(node: NodeView) {
  const reveal = node.spec.revealReplicaName;
  const replicas = [...node.replicas.values()];
  return {
    id: node.spec.id,
    label: node.spec.label,
    mode: node.spec.mode,
    status: node.health,
    replicas_total: replicas.length,
    replicas: replicas.slice(0, REPLICAS_SHOWN).map((replica) => ({
      id: reveal ? replica.id : null,
      status: replica.health,
      since: iso(replica.sinceMs),
      latency_ms: replica.latencyMs ?? null,
      reason: reveal ? (replica.reason ?? null) : null,
    })),
  };
}

export function uptimeView(uptime: Uptime) {
  return {
    uptime: ratio(uptime.uptime),
    healthy: ratio(uptime.healthy),
    coverage: ratio(uptime.coverage),
    healthy_seconds: uptime.healthySeconds,
    sick_seconds: uptime.sickSeconds,
    dead_seconds: uptime.deadSeconds,
    maintenance_seconds: uptime.maintenanceSeconds ?? 0,
  };
}

export function pointView(row: RollupRow) {
  return {
    t: iso(row.bucketMs),
    samples: row.samples,
    p50_ms: row.p50Ms ?? null,
    p95_ms: row.p95Ms ?? null,
    max_ms: row.maxMs ?? null,
    healthy_seconds: row.healthySeconds,
    sick_seconds: row.sickSeconds,
    dead_seconds: row.deadSeconds,
    maintenance_seconds: row.maintenanceSeconds ?? 0,
  };
}

export function incidentView(model: HealthModel, incident: Incident) {
  const shown = (path: string) => {
    const [serviceId = '', nodeId = ''] = path.split(':', 2);
    return revealed(model, serviceId, nodeId);
  };
  return {
    id: incident.id,
    scope: incident.scope,
    service: incident.serviceId || null,
    node: incident.nodeId || null,
    started_at: iso(incident.startedAtMs),
    ended_at: incident.endedAtMs === undefined ? null : iso(incident.endedAtMs),
    worst: incident.worst,
    replicas_affected: incident.replicas.length,
    replicas: incident.replicas.filter(shown),
    reasons: incident.reasons
      .filter((each) => shown(each.replica))
      .map((each) => ({ replica: each.replica, reason: each.reason, at: iso(each.atMs) })),
  };
}

export function announcementView(announcement: Announcement) {
  return {
    id: announcement.id,
    title: announcement.title,
    text: announcement.text,
    published_at: iso(announcement.atMs),
    severity: announcement.severity ?? null,
    expires_at: announcement.expiresAtMs === undefined ? null : iso(announcement.expiresAtMs),
  };
}

/** A maintenance window as the manager API and `/api/v1` show it; `state` as of `nowMs`. */
export function maintenanceView(window: MaintenanceWindow, nowMs: number) {
  return {
    id: window.id,
    title: window.title,
    text: window.text,
    starts_at: iso(window.startsAtMs),
    ends_at: iso(window.endsAtMs),
    services: window.services,
    nodes: window.nodes,
    state: phaseOf(window, nowMs),
    created_at: iso(window.createdAtMs),
  };
}
