import type { AnnouncementSource } from '../announcements/types.js';
import type { IncidentReader } from '../incidents/log.js';
import type { MaintenanceView } from '../maintenance/types.js';
import type { HealthModel } from '../model/health-model.js';
import type { Clock } from '../time/clock.js';
import { entryId, type FeedSource } from './entry.js';
import { incidentEntries } from './incident-entries.js';
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

/**
 * Every source of the feed: announcements, and with a store the incidents of both origins with
 * their updates and the maintenance windows.
 */
export function feedSources(options: {
  announcements: AnnouncementSource;
  model: HealthModel;
  clock: Clock;
  incidents?: Pick<IncidentReader, 'list' | 'active' | 'onChange'>;
  maintenance?: MaintenanceView;
}): FeedSource[] {
  const { announcements, model, clock, incidents, maintenance } = options;
  return [
    announcementEntries(announcements),
    ...(incidents ? [incidentEntries(incidents, model)] : []),
    ...(maintenance ? [maintenanceEntries(maintenance, clock)] : []),
  ];
}
