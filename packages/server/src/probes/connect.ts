import { lookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import type { Deadline } from './deadline.js';

/**
 * Resolves `host` and opens a TCP connection to its first address, as Vigil does for tcp:// and
 * ssh:// replicas. DNS and connect both count against the deadline. Rejects on any failure.
 */
export async function connectTcp(host: string, port: number, deadline: Deadline): Promise<Socket> {
  const { address } = await deadline.race(lookup(host));
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: address, port });
    const onError = (error: Error) => {
      stopWatching();
      reject(error);
    };
    const stopWatching = deadline.onAbort(() => {
      socket.destroy();
      reject(deadline.signal.reason);
    });
    socket.once('error', onError);
    socket.once('connect', () => {
      stopWatching();
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
