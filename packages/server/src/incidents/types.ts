import type { Incident } from '../store/types.js';

/** The phases an incident goes through, as operators word them on status pages. */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface NodeRef {
  serviceId: string;
  nodeId: string;
}

/** One entry of an incident's timeline, posted through the manager API. */
export interface IncidentUpdate {
  /** UUID v4. */
  id: string;
  /** A declared incident's id, or a detected one's (an annotation). */
  incidentId: string;
  atMs: number;
  status: IncidentStatus;
  message: string;
}

/** An incident an operator opened through the manager API; its status is its latest update's. */
export interface DeclaredIncident {
  id: string;
  title: string;
  startedAtMs: number;
  status: IncidentStatus;
  /** When the update that resolved it was posted; absent while it is not resolved. */
  resolvedAtMs?: number;
  /** Affected services, by id. */
  services: string[];
  /** Affected nodes. */
  nodes: NodeRef[];
}

/**
 * An incident of either origin with its timeline: what the page, the manager API and the feed
 * show. `detected` incidents are the ones the tracker opens when a node or the page leaves healthy.
 */
export interface IncidentStory {
  id: string;
  origin: 'declared' | 'detected';
  /** The operator's title; detected incidents have none (the page names their node). */
  title?: string;
  /** The latest update's status; a detected incident nobody annotated has none. */
  status?: IncidentStatus;
  startedAtMs: number;
  /** Resolved (declared) or recovered (detected); absent while it lasts. */
  endedAtMs?: number;
  services: string[];
  nodes: NodeRef[];
  /** What the tracker recorded, for detected incidents. */
  detected?: Incident;
  /** Oldest first. */
  updates: IncidentUpdate[];
}

/** Keyset position in a newest-first list of incidents (or of any history entries). */
export interface StartCursor {
  startedAtMs: number;
  id: string;
}

/** Declared incidents while unresolved, detected ones while their node or page is unhealthy. */
export const isActive = (story: IncidentStory): boolean => story.endedAtMs === undefined;

/** Newest first, then by id, descending: the order every incident list and cursor uses. */
export function newestFirst(a: StartCursor, b: StartCursor): number {
  if (a.startedAtMs !== b.startedAtMs) return b.startedAtMs - a.startedAtMs;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
