import { randomUUID } from 'node:crypto';
import { SerialQueue } from '../store/serial.js';
import type { DeclaredIncidentRepository, Incident, IncidentRepository } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import {
  type DeclaredIncident,
  type IncidentStatus,
  type IncidentStory,
  type IncidentUpdate,
  type NodeRef,
  newestFirst,
  type StartCursor,
} from './types.js';

/** Unresolved declared incidents at most: each is rendered at the top of the page. */
export const UNRESOLVED_INCIDENTS_MAX = 100;
/** Updates per incident at most: a timeline, not a chat. */
export const UPDATES_PER_INCIDENT_MAX = 100;

/** Thrown when a bound above would be passed; the manager API answers 409. */
export class IncidentLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncidentLimitError';
  }
}

export interface NewIncident {
  title: string;
  status: IncidentStatus;
  message: string;
  services: string[];
  nodes: NodeRef[];
}

/**
 * Read side of the incidents of both origins with their timelines, for the page, `/history`, the
 * manager API and the feed.
 */
export interface IncidentReader {
  /** Newest first (by start, then id); `before` continues a previous page. */
  list(query: { limit: number; before?: StartCursor }): Promise<IncidentStory[]>;
  /** Unresolved declared incidents and open detected ones with at least one update, newest first. */
  active(): Promise<IncidentStory[]>;
  get(id: string): Promise<IncidentStory | undefined>;
  /** Called after each declaration or update is stored. */
  onChange(listener: () => void): () => void;
}

type Repositories = {
  incidents: Pick<IncidentRepository, 'get' | 'list' | 'listOpen'>;
  declaredIncidents: DeclaredIncidentRepository;
};

/**
 * Incidents operators declare and update through the manager API, and their notes on the detected
 * ones, over the store. A write resolves once it is stored; writes run one at a time, so the
 * bounds hold under concurrent requests.
 */
export class IncidentLog implements IncidentReader {
  private readonly writes = new SerialQueue();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: Repositories,
    private readonly clock: Clock,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Rejects with IncidentLimitError when UNRESOLVED_INCIDENTS_MAX are unresolved. */
  declare(fields: NewIncident): Promise<DeclaredIncident> {
    return this.writes.run(async () => {
      const { declaredIncidents } = this.store;
      if (fields.status !== 'resolved') await this.ensureRoomForUnresolved();
      const atMs = this.clock.now();
      const incident: DeclaredIncident = {
        id: this.newId(),
        title: fields.title,
        startedAtMs: atMs,
        status: fields.status,
        services: fields.services,
        nodes: fields.nodes,
      };
      if (fields.status === 'resolved') incident.resolvedAtMs = atMs;
      const first = {
        id: this.newId(),
        incidentId: incident.id,
        atMs,
        status: fields.status,
        message: fields.message,
      };
      await declaredIncidents.insert(incident, first);
      this.changed();
      return incident;
    });
  }

  /**
   * Adds an update to a declared or detected incident; undefined for an unknown id. A declared
   * incident takes the update's status (a later non-resolved status reopens it).
   */
  update(
    id: string,
    fields: { status: IncidentStatus; message: string },
  ): Promise<IncidentUpdate | undefined> {
    return this.writes.run(async () => {
      const { declaredIncidents, incidents } = this.store;
      const declared = await declaredIncidents.get(id);
      if (!declared && !(await incidents.get(id))) return undefined;
      if ((await declaredIncidents.countUpdates(id)) >= UPDATES_PER_INCIDENT_MAX) {
        throw new IncidentLimitError(
          `this incident already has ${UPDATES_PER_INCIDENT_MAX} updates, the most allowed`,
        );
      }
      const atMs = this.clock.now();
      const update: IncidentUpdate = { id: this.newId(), incidentId: id, atMs, ...fields };
      // Reopening a resolved incident counts against the bound like declaring one.
      if (declared?.status === 'resolved' && fields.status !== 'resolved')
        await this.ensureRoomForUnresolved();
      await declaredIncidents.addUpdate(
        update,
        declared && {
          status: fields.status,
          // A note after the resolution (a post-mortem) keeps the time it was resolved.
          ...(fields.status === 'resolved' && { resolvedAtMs: declared.resolvedAtMs ?? atMs }),
        },
      );
      this.changed();
      return update;
    });
  }

  async list(query: { limit: number; before?: StartCursor }): Promise<IncidentStory[]> {
    const { declaredIncidents, incidents } = this.store;
    const [declared, detected] = await Promise.all([
      declaredIncidents.list(query),
      incidents.list({ ...query, scopeOrAnnotated: 'node' }),
    ]);
    const page = [...declared.map(declaredStory), ...detected.map(detectedStory)]
      .sort(newestFirst)
      .slice(0, query.limit);
    return this.withUpdates(page);
  }

  async active(): Promise<IncidentStory[]> {
    const { declaredIncidents, incidents } = this.store;
    const [declared, open] = await Promise.all([
      declaredIncidents.list({ limit: UNRESOLVED_INCIDENTS_MAX, unresolved: true }),
      incidents.listOpen(),
    ]);
    const stories = await this.withUpdates([...declared.map(declaredStory), ...open.map(detectedStory)]);
    return stories
      .filter((story) => story.origin === 'declared' || story.updates.length > 0)
      .sort(newestFirst);
  }

  async get(id: string): Promise<IncidentStory | undefined> {
    const declared = await this.store.declaredIncidents.get(id);
    const detected = declared ? undefined : await this.store.incidents.get(id);
    const story = declared ? declaredStory(declared) : detected && detectedStory(detected);
    if (!story) return undefined;
    const [withUpdates] = await this.withUpdates([story]);
    return withUpdates;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits for writes under way. */
  idle(): Promise<void> {
    return this.writes.idle();
  }

  private async ensureRoomForUnresolved(): Promise<void> {
    if ((await this.store.declaredIncidents.countUnresolved()) >= UNRESOLVED_INCIDENTS_MAX) {
      throw new IncidentLimitError(
        `there are already ${UNRESOLVED_INCIDENTS_MAX} unresolved incidents, the most allowed: resolve one first`,
      );
    }
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Fills in the timelines, in one query; a detected incident takes its latest update's status. */
  private async withUpdates(stories: IncidentStory[]): Promise<IncidentStory[]> {
    const updates = await this.store.declaredIncidents.updates(stories.map((story) => story.id));
    const byIncident = new Map<string, IncidentUpdate[]>();
    for (const update of updates) {
      const timeline = byIncident.get(update.incidentId);
      if (timeline) timeline.push(update);
      else byIncident.set(update.incidentId, [update]);
    }
    return stories.map((story) => {
      const timeline = byIncident.get(story.id) ?? [];
      const latest = timeline.at(-1);
      if (story.origin === 'detected' && latest)
        return { ...story, status: latest.status, updates: timeline };
      return { ...story, updates: timeline };
    });
  }
}

export function declaredStory(incident: DeclaredIncident): IncidentStory {
  const story: IncidentStory = {
    id: incident.id,
    origin: 'declared',
    title: incident.title,
    status: incident.status,
    startedAtMs: incident.startedAtMs,
    services: incident.services,
    nodes: incident.nodes,
    updates: [],
  };
  if (incident.resolvedAtMs !== undefined) story.endedAtMs = incident.resolvedAtMs;
  return story;
}

/** A detected incident as a story, before its updates are read. */
export function detectedStory(incident: Incident): IncidentStory {
  const story: IncidentStory = {
    id: incident.id,
    origin: 'detected',
    startedAtMs: incident.startedAtMs,
    services: incident.serviceId ? [incident.serviceId] : [],
    nodes: incident.scope === 'node' ? [{ serviceId: incident.serviceId, nodeId: incident.nodeId }] : [],
    detected: incident,
    updates: [],
  };
  if (incident.endedAtMs !== undefined) story.endedAtMs = incident.endedAtMs;
  return story;
}
