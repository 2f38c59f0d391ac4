import { lookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import type { Deadline } from './deadline.js';

/**
 * Resolves `host` and opens a TCP connection to its first address, as Vigil does for tcp:// and
 * ssh:// replicas (and tls://). DNS and connect both count against the deadline. Rejects on any failure.
 */
export async function connectTcp(host: string, port: number, deadline: Deadline): Promise<Socket> {
  const { address } = await deadline.race(lookup(host));
  return whenSocketEmits(connect({ host: address, port }), 'connect', deadline);
}

/**
 * Resolves with `socket` once it emits `event` ('connect', 'secureConnect'…); rejects with its
 * error, or when the deadline passes, destroying it.
 */
export function whenSocketEmits<S extends Socket>(socket: S, event: string, deadline: Deadline): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const onError = (error: Error) => {
      stopWatching();
      socket.destroy();
      reject(error);
    };
    const stopWatching = deadline.onAbort(() => {
      socket.destroy();
      reject(deadline.signal.reason);
    });
    socket.once('error', onError);
    socket.once(event, () => {
      stopWatching();
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
