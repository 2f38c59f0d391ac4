import type { Outbox } from '../notify/outbox.js';
import { FencedOutError } from '../store/types.js';
import type { Membership } from './membership.js';

/**
 * The leader's outbox for one leadership (`token`): the database refuses its writes and claims once
 * another member leads, and a claim is handed to the worker only while this member's own clock
 * says the lease surely runs. A leader paused past its lease (GC, SIGSTOP, a partition) that wakes
 * with a claim in hand therefore drops it instead of sending: the new leader sends it.
 *
 * A write that fails otherwise (the database away) calls `onWriteFailure`: the watcher that decided
 * it has moved on in memory, so its dispatcher must start again from the stored state.
 */
export function fencedOutbox(
  outbox: Outbox,
  membership: Pick<Membership, 'holds'>,
  token: number,
  onWriteFailure: () => void,
): Outbox {
  const written = async (write: Promise<void>) => {
    try {
      await write;
    } catch (error) {
      if (!(error instanceof FencedOutError)) onWriteFailure();
      throw error;
    }
  };
  return {
    ...outbox,
    enqueue: (entry) => written(outbox.enqueue(entry)),
    saveWatcherState: (record) => written(outbox.saveWatcherState(record)),
    async claimNext(channel, lease) {
      if (!membership.holds(token)) return undefined;
      try {
        const claim = await outbox.claimNext(channel, lease);
        // Checked again after the round trip: the pause may have happened while it was in flight.
        return membership.holds(token) ? claim : undefined;
      } catch (error) {
        // No longer the leader: nothing to send here; this dispatcher is being stopped.
        if (error instanceof FencedOutError) return undefined;
        throw error;
      }
    },
  };
}
