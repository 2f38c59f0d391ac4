import type { ReplicaTable } from './replica-table.js';
import type { ReplicaView } from './views.js';

/** Up to this many replicas a node keeps a list of slots and finds an id by scanning it. */
const LISTED_MAX = 8;

/**
 * A node's replicas, in the order they were added: their slots in the model's ReplicaTable. A small
 * node (most have a handful) keeps a list of slots, ~10 B per replica, where a `Map` of five
 * entries is ~250 B; past LISTED_MAX the node keeps a `Map` by id, so a node of 100,000 push
 * replicas still finds and removes one in O(1). Consumers read it as a map of views.
 */
export class NodeReplicas implements ReadonlyMap<string, ReplicaView> {
  private listed: number[] | undefined = [];
  private byId: Map<string, number> | undefined;

  constructor(private readonly table: ReplicaTable) {}

  get size(): number {
    return this.listed?.length ?? this.byId?.size ?? 0;
  }

  /** The slot of the replica with this id; undefined when the node has none. */
  slotOf(id: string): number | undefined {
    if (this.byId) return this.byId.get(id);
    return this.listed?.find((slot) => this.table.id(slot) === id);
  }

  /** Adds a replica's slot last; its id must not be in the node already. */
  add(slot: number): void {
    if (this.byId) {
      this.byId.set(this.table.id(slot), slot);
      return;
    }
    const listed = this.listed ?? [];
    listed.push(slot);
    if (listed.length > LISTED_MAX) {
      this.byId = new Map(listed.map((each) => [this.table.id(each), each]));
      this.listed = undefined;
    }
  }

  /** Takes a replica's slot out; the table keeps it until told. */
  remove(slot: number): void {
    if (this.byId) {
      this.byId.delete(this.table.id(slot));
      return;
    }
    const index = this.listed?.indexOf(slot) ?? -1;
    if (index >= 0) this.listed?.splice(index, 1);
  }

  /** Empties the node (a reload lists its configured replicas again). */
  clear(): void {
    this.listed = [];
    this.byId = undefined;
  }

  /** Every slot, in order. */
  slots(): IterableIterator<number> {
    return this.byId ? this.byId.values() : (this.listed ?? []).values();
  }

  get(id: string): ReplicaView | undefined {
    const slot = this.slotOf(id);
    return slot === undefined ? undefined : this.table.view(slot);
  }

  has(id: string): boolean {
    return this.slotOf(id) !== undefined;
  }

  *values(): IterableIterator<ReplicaView> {
    for (const slot of this.slots()) yield this.table.view(slot);
  }

  *keys(): IterableIterator<string> {
    for (const slot of this.slots()) yield this.table.id(slot);
  }

  *entries(): IterableIterator<[string, ReplicaView]> {
    for (const slot of this.slots()) yield [this.table.id(slot), this.table.view(slot)];
  }

  [Symbol.iterator](): IterableIterator<[string, ReplicaView]> {
    return this.entries();
  }

  forEach(callback: (view: ReplicaView, id: string, map: ReadonlyMap<string, ReplicaView>) => void): void {
    for (const [id, view] of this.entries()) callback(view, id, this);
  }
}
