/** A planned period during which some nodes are expected to fail: no alert, no incident, apart in uptime. */
export interface MaintenanceWindow {
  /** UUID v4, lowercase hyphenated. */
  id: string;
  title: string;
  /** May span lines; rendered escaped with line breaks. */
  text: string;
  startsAtMs: number;
  /** Exclusive: at this instant the window is over. */
  endsAtMs: number;
  /** Service ids: every node of each. */
  services: string[];
  /** Single nodes, as `service:node`. */
  nodes: string[];
  /** When the manager API created it. */
  createdAtMs: number;
}

/** Where a window stands at some instant. */
export type MaintenancePhase = 'upcoming' | 'active' | 'past';

export function phaseOf(window: Pick<MaintenanceWindow, 'startsAtMs' | 'endsAtMs'>, nowMs: number) {
  if (nowMs >= window.endsAtMs) return 'past' satisfies MaintenancePhase;
  return nowMs >= window.startsAtMs ? ('active' satisfies MaintenancePhase) : 'upcoming';
}

/** Where a page of past windows starts: after this one, most recently ended first. */
export interface PastMaintenanceCursor {
  endsAtMs: number;
  id: string;
}

/**
 * Read side of the maintenance schedule, for the alerting, incidents, history, the page, `/api/v1`,
 * the Atom feed and `/history`. Every sync answer reflects the schedule as of the last boundary (a
 * window's start or end), which is also when listeners hear of a change.
 */
export interface MaintenanceView {
  /** Windows in progress, earliest start first. */
  active(): readonly MaintenanceWindow[];
  /** Windows not started yet, earliest start first. */
  upcoming(): readonly MaintenanceWindow[];
  /** Ended windows, most recently ended first; `before` continues a previous page. */
  past(query: { limit: number; before?: PastMaintenanceCursor }): Promise<MaintenanceWindow[]>;
  /** Whether a window in progress covers this node (directly or through its service). */
  isUnderMaintenance(serviceId: string, nodeId: string): boolean;
  /** Called after every change: a window added or removed, one starting or ending. */
  onChange(listener: () => void): () => void;
}

/** Whether a node is exempt now (under maintenance): its failures raise no alert and open no incident. */
export type NodeExemption = (serviceId: string, nodeId: string) => boolean;

/** Windows not yet over a store holds at most: each is rendered on the page and checked per node. */
export const MAINTENANCE_WINDOWS_MAX = 100;
/** Services or nodes one window names at most. */
export const MAINTENANCE_TARGETS_MAX = 100;
/** How far ahead a window may start or end: a year and a day, as announcements' expiry. */
export const MAINTENANCE_HORIZON_MS = 366 * 24 * 3_600_000;

/** Thrown by `add` when MAINTENANCE_WINDOWS_MAX windows are upcoming or active. */
export class MaintenanceFullError extends Error {
  constructor() {
    super(
      `there are already ${MAINTENANCE_WINDOWS_MAX} upcoming or active maintenance windows, the most allowed: delete one first`,
    );
    this.name = 'MaintenanceFullError';
  }
}
