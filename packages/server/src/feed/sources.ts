import type { AnnouncementSource } from '../announcements/types.js';
import type { MaintenanceView } from '../maintenance/types.js';
import type { HealthModel } from '../model/health-model.js';
import type { IncidentRepository } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { entryId, type FeedEntry, type FeedSource } from './entry.js';
import { maintenanceEntries } from './maintenance-entries.js';

/** Current announcements: one entry each, published when posted. */
export function announcementEntries(announcements: AnnouncementSource): FeedSource {
  return {
    async entries(limit) {
      return announcements
        .list()
        .slice(-limit)
        .map((announcement) => ({
          id: entryId('announcement', announcement.id),
          kind: 'announcement',
          title: announcement.title,
          text: announcement.text,
          publishedMs: announcement.atMs,
          updatedMs: announcement.atMs,
        }));
    },
    onChange: (listener) => announcements.onChange(listener),
  };
}

const WORST_LABEL = { sick: 'Sick', dead: 'Dead' } as const;

/**
 * The incidents Vigil TS opens by itself when a node or the page leaves healthy: updated once more
 * when it recovers. Replica ids stay out (they are often private addresses): only their count.
 */
export function automaticIncidentEntries(
  incidents: Pick<IncidentRepository, 'list'>,
  model: HealthModel,
): FeedSource {
  return {
    async entries(limit) {
      const found = await incidents.list({ limit });
      return found.map((incident): FeedEntry => {
        const service = model.services.get(incident.serviceId);
        const node = service?.nodes.get(incident.nodeId);
        const subject =
          incident.scope === 'page'
            ? 'All services'
            : `${service?.spec.label ?? incident.serviceId} › ${node?.spec.label ?? incident.nodeId}`;
        const affected = incident.replicas.length;
        const lines = [
          `Started ${new Date(incident.startedAtMs).toISOString()}.`,
          incident.endedAtMs === undefined
            ? 'Ongoing.'
            : `Resolved ${new Date(incident.endedAtMs).toISOString()}.`,
          ...(affected > 0 ? [`${affected} ${affected === 1 ? 'replica' : 'replicas'} affected.`] : []),
        ];
        return {
          id: entryId('incident', incident.id),
          kind: 'incident',
          title: `${incident.endedAtMs === undefined ? WORST_LABEL[incident.worst] : 'Resolved'}: ${subject}`,
          text: lines.join('\n'),
          publishedMs: incident.startedAtMs,
          updatedMs: incident.endedAtMs ?? incident.startedAtMs,
          ...(incident.scope === 'node' && { quiet: true as const }),
        };
      });
    },
  };
}

/**
 * Every source of the feed: announcements, and with a store its automatic incidents and the
 * maintenance windows.
 */
export function feedSources(options: {
  announcements: AnnouncementSource;
  model: HealthModel;
  clock: Clock;
  incidents?: Pick<IncidentRepository, 'list'>;
  maintenance?: MaintenanceView;
}): FeedSource[] {
  const { announcements, model, clock, incidents, maintenance } = options;
  return [
    announcementEntries(announcements),
    ...(incidents ? [automaticIncidentEntries(incidents, model)] : []),
    ...(maintenance ? [maintenanceEntries(maintenance, clock)] : []),
  ];
}
