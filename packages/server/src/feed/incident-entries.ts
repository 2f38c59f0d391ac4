import type { IncidentReader } from '../incidents/log.js';
import type { IncidentStory } from '../incidents/types.js';
import type { HealthModel } from '../model/health-model.js';
import { PAGE_TEXTS } from '../web/page/texts.js';
import { entryId, type FeedEntry, type FeedSource } from './entry.js';

const STATUS_LABEL = PAGE_TEXTS.en.incidentStatus;
const WORST_LABEL = { sick: 'Sick', dead: 'Dead' } as const;

/**
 * Incidents of both origins with their timelines: declared ones (manager API) and detected ones
 * (opened when a node or the page leaves healthy), each changed by every update and by its end.
 * Active ones are added to the newest: an old incident's new update is news too.
 */
export function incidentEntries(
  incidents: Pick<IncidentReader, 'list' | 'active' | 'onChange'>,
  model: HealthModel,
): FeedSource {
  return {
    async entries(limit) {
      const [recent, active] = await Promise.all([incidents.list({ limit }), incidents.active()]);
      const stories = new Map([...recent, ...active].map((story) => [story.id, story]));
      return [...stories.values()].map((story) => incidentEntry(story, model));
    },
    onChange: (listener) => incidents.onChange(listener),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function incidentEntry(story: IncidentStory, model: HealthModel): FeedEntry {
  const detected = story.detected;
  const lastUpdate = story.updates.at(-1);
  const subject = story.title ?? (detected ? detectedSubject(story, model) : story.id);
  const state =
    story.status !== undefined
      ? STATUS_LABEL[story.status]
      : story.endedAtMs !== undefined
        ? 'Resolved'
        : WORST_LABEL[detected?.worst ?? 'dead'];
  // Newest update first, as readers of a timeline expect; a detected incident's record last.
  const timeline = [...story.updates]
    .reverse()
    .map((update) => `${STATUS_LABEL[update.status]} (${iso(update.atMs)}): ${update.message}`);
  const record = detected
    ? [
        `Started ${iso(story.startedAtMs)}.`,
        story.endedAtMs === undefined ? 'Ongoing.' : `Resolved ${iso(story.endedAtMs)}.`,
        ...(detected.replicas.length > 0
          ? [
              `${detected.replicas.length} ${detected.replicas.length === 1 ? 'replica' : 'replicas'} affected.`,
            ]
          : []),
      ].join('\n')
    : undefined;
  return {
    id: entryId('incident', story.id),
    kind: 'incident',
    title: `${state}: ${subject}`,
    text: [...timeline, ...(record ? [record] : [])].join('\n\n'),
    publishedMs: story.startedAtMs,
    updatedMs: Math.max(story.startedAtMs, story.endedAtMs ?? 0, lastUpdate?.atMs ?? 0),
    path: `incident/${story.id}`,
    // A node's own detected incident nobody wrote about: the page's incident announces the outage.
    ...(detected?.scope === 'node' && story.updates.length === 0 && { quiet: true as const }),
  };
}

/** "All services", or "Service › Node" by their labels (ids for a node no longer configured). */
function detectedSubject(story: IncidentStory, model: HealthModel): string {
  const detected = story.detected;
  if (!detected || detected.scope === 'page') return 'All services';
  const service = model.services.get(detected.serviceId);
  const node = service?.nodes.get(detected.nodeId);
  return `${service?.spec.label ?? detected.serviceId} › ${node?.spec.label ?? detected.nodeId}`;
}
