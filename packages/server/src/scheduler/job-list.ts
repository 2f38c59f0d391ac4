import type { ReplicaRef } from '../model/observation.js';
import type { NodeSpec, Topology } from '../model/topology.js';
import type { ProbeTarget } from '../probes/types.js';

/**
 * The poll (or script) replicas of a topology in config order, each named by its index: a job. Only
 * the nodes and where each starts are kept, so a job costs nothing per replica; a job's ref and
 * target are read from the topology when asked (a result, a share, a thread's start). At 100,000
 * replicas a list of `{ ref, target }` objects was ~100 B per replica on the main heap.
 */
export class JobList {
  private readonly nodes: readonly NodeSpec[];
  /** The index of each node's first job, and the job count last: one more entry than `nodes`. */
  private readonly starts: Int32Array;

  constructor(topology: Topology, mode: 'poll' | 'script') {
    this.nodes = topology.services.flatMap((service) => service.nodes.filter((node) => node.mode === mode));
    this.starts = new Int32Array(this.nodes.length + 1);
    this.nodes.forEach((node, position) => {
      this.starts[position + 1] = (this.starts[position] ?? 0) + node.replicas.length;
    });
  }

  get length(): number {
    return this.starts[this.nodes.length] ?? 0;
  }

  /** Every job's index, in order: what a round runs. */
  indexes(): Int32Array {
    return jobIndexes(this.length);
  }

  /** The replica a job checks; undefined for an index that is none. */
  ref(index: number): ReplicaRef | undefined {
    const found = this.find(index);
    if (!found) return undefined;
    const { node, offset } = found;
    const replica = node.replicas[offset];
    return replica && { serviceId: node.serviceId, nodeId: node.id, replicaId: replica.id };
  }

  /** What a job checks; undefined for an index that is none. */
  target(index: number): ProbeTarget | undefined {
    const found = this.find(index);
    return found?.node.replicas[found.offset]?.target;
  }

  /** Every job's target, in order, each made as it is read (the prober thread's setup). */
  *targets(): Generator<ProbeTarget> {
    for (const node of this.nodes) for (const replica of node.replicas) yield replica.target;
  }

  /** The node holding a job, by binary search over the nodes' starts, and the job's place in it. */
  private find(index: number): { node: NodeSpec; offset: number } | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    let low = 0;
    let high = this.nodes.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.starts[middle] ?? 0) <= index) low = middle;
      else high = middle - 1;
    }
    const node = this.nodes[low];
    return node && { node, offset: index - (this.starts[low] ?? 0) };
  }
}

/** The jobs 0 … count - 1, 4 B each. */
export function jobIndexes(count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, index) => index);
}
