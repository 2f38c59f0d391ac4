import { grown } from '../typed-columns.js';
import { HEALTH_STATES, type Health } from './health.js';
import type { Load, QueueState } from './observation.js';
import type { ReplicaView } from './views.js';

/** What only push and local replicas have: their last report and what it said. */
export interface ReportState {
  load?: Load;
  queue?: QueueState;
  report?: { atMs: number; intervalSeconds: number };
  reportedHealth?: Health;
}

/** Room for this many replicas at first; doubled whenever full. */
const FIRST_CAPACITY = 64;
/** An absent time or latency: observations carry finite numbers only. */
const ABSENT = Number.NaN;

/**
 * Every replica's state, one column per field, a replica named by its slot: health as a byte,
 * times and latency as doubles, its id and reason by reference. At 100,000 replicas an object per
 * replica (ten fields, three of them numbers boxed on the heap) and a `Map` per node were ~300 B
 * per replica; the columns are ~50 B. A removed replica's slot is reused by the next one added.
 */
export class ReplicaTable {
  private capacity = 0;
  private used = 0;
  private readonly ids: (string | undefined)[] = [];
  private healthIndexes = new Uint8Array(0);
  private sinceColumn = new Float64Array(0);
  private checkedColumn = new Float64Array(0);
  private latencyColumn = new Float64Array(0);
  private readonly reasons: (string | undefined)[] = [];
  /** Push and local replicas only; undefined for the others. */
  private readonly reports: (ReportState | undefined)[] = [];
  private readonly freeSlots: number[] = [];

  /** A replica as Vigil starts it: healthy since `nowMs`, never checked. Returns its slot. */
  add(id: string, nowMs: number): number {
    const slot = this.freeSlots.pop() ?? this.grow();
    this.ids[slot] = id;
    this.healthIndexes[slot] = 0;
    this.sinceColumn[slot] = nowMs;
    this.checkedColumn[slot] = ABSENT;
    this.latencyColumn[slot] = ABSENT;
    this.reasons[slot] = undefined;
    this.reports[slot] = undefined;
    return slot;
  }

  /** Frees a replica's slot, and what it held, for the next one added. */
  remove(slot: number): void {
    this.ids[slot] = undefined;
    this.reasons[slot] = undefined;
    this.reports[slot] = undefined;
    this.freeSlots.push(slot);
  }

  id(slot: number): string {
    return this.ids[slot] ?? '';
  }

  health(slot: number): Health {
    return HEALTH_STATES[this.healthIndexes[slot] ?? 0] ?? 'healthy';
  }

  setHealth(slot: number, health: Health): void {
    this.healthIndexes[slot] = HEALTH_STATES.indexOf(health);
  }

  sinceMs(slot: number): number {
    return this.sinceColumn[slot] ?? 0;
  }

  setSinceMs(slot: number, atMs: number): void {
    this.sinceColumn[slot] = atMs;
  }

  checkedAtMs(slot: number): number | undefined {
    return present(this.checkedColumn[slot]);
  }

  setCheckedAtMs(slot: number, atMs: number): void {
    this.checkedColumn[slot] = atMs;
  }

  latencyMs(slot: number): number | undefined {
    return present(this.latencyColumn[slot]);
  }

  setLatencyMs(slot: number, latencyMs: number): void {
    this.latencyColumn[slot] = latencyMs;
  }

  reason(slot: number): string | undefined {
    return this.reasons[slot];
  }

  setReason(slot: number, reason: string | undefined): void {
    this.reasons[slot] = reason;
  }

  /** A push or local replica's report state; undefined before its first report. */
  reportOf(slot: number): ReportState | undefined {
    return this.reports[slot];
  }

  /** The replica's report state, made on its first report. */
  reportState(slot: number): ReportState {
    let state = this.reports[slot];
    if (!state) {
      // Every field from the start, in one order: one hidden class, no property array.
      state = { load: undefined, queue: undefined, report: undefined, reportedHealth: undefined };
      this.reports[slot] = state;
    }
    return state;
  }

  /** The replica as consumers read it: live (it reads the columns), made when asked. */
  view(slot: number): ReplicaView {
    return new ReplicaRow(this, slot);
  }

  /** Doubles the columns when full; returns the next unused slot. */
  private grow(): number {
    if (this.used === this.capacity) {
      this.capacity = Math.max(FIRST_CAPACITY, this.capacity * 2);
      this.healthIndexes = grown(this.healthIndexes, this.capacity);
      this.sinceColumn = grown(this.sinceColumn, this.capacity);
      this.checkedColumn = grown(this.checkedColumn, this.capacity);
      this.latencyColumn = grown(this.latencyColumn, this.capacity);
    }
    const slot = this.used;
    this.used += 1;
    return slot;
  }
}

function present(value: number | undefined): number | undefined {
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

/**
 * A replica's view: the table and a slot, its fields read from the columns when asked, so it is
 * always current. Made per read and dropped; one kept after its replica was removed reads whichever
 * replica took the slot over.
 */
class ReplicaRow implements ReplicaView {
  constructor(
    private readonly table: ReplicaTable,
    private readonly slot: number,
  ) {}

  get id(): string {
    return this.table.id(this.slot);
  }

  get health(): Health {
    return this.table.health(this.slot);
  }

  get reason(): string | undefined {
    return this.table.reason(this.slot);
  }

  get latencyMs(): number | undefined {
    return this.table.latencyMs(this.slot);
  }

  get load(): Readonly<Load> | undefined {
    return this.table.reportOf(this.slot)?.load;
  }

  get queue(): Readonly<QueueState> | undefined {
    return this.table.reportOf(this.slot)?.queue;
  }

  get report(): { readonly atMs: number; readonly intervalSeconds: number } | undefined {
    return this.table.reportOf(this.slot)?.report;
  }

  get reportedHealth(): Health | undefined {
    return this.table.reportOf(this.slot)?.reportedHealth;
  }

  get checkedAtMs(): number | undefined {
    return this.table.checkedAtMs(this.slot);
  }

  get sinceMs(): number {
    return this.table.sinceMs(this.slot);
  }

  /** As JSON, the plain record a replica's state was before the columns: its fields, not the table. */
  toJSON(): ReplicaView {
    const { id, health, reason, latencyMs, load, queue, report, reportedHealth, checkedAtMs, sinceMs } = this;
    return { id, health, reason, latencyMs, load, queue, report, reportedHealth, checkedAtMs, sinceMs };
  }
}
