import { Gauge, type Registry } from 'prom-client';
import type { Membership } from './membership.js';

/**
 * `vigil_cluster_leader` on every member, read at scrape time: `sum()` over the members is 1 while
 * one leads and 0 while none does (a lease being taken over, PostgreSQL away). The token shows
 * how often the leadership changed.
 */
export function registerClusterGauges(
  registry: Registry,
  membership: Pick<Membership, 'leadership' | 'instanceId'>,
): void {
  const registers = [registry];
  new Gauge({
    name: 'vigil_cluster_leader',
    help: '1 while this member holds the alert leader lease (by its own clock), else 0',
    labelNames: ['instance'],
    registers,
    collect() {
      this.set({ instance: membership.instanceId }, membership.leadership ? 1 : 0);
    },
  });
  new Gauge({
    name: 'vigil_cluster_leader_token',
    help: 'The fencing token of the alert leadership this member holds; absent while it does not lead',
    labelNames: ['instance'],
    registers,
    collect() {
      this.reset();
      const leadership = membership.leadership;
      if (leadership) this.set({ instance: membership.instanceId }, leadership.token);
    },
  });
}
