import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { builtinOnUse } from '../process/builtin-on-use.js';
import { Deadline } from './deadline.js';
import { describeError } from './errors.js';
import type { ProbeContext, ProbeResult } from './types.js';

/** Loaded by the first TLS handshake a probe makes (STARTTLS, tls://). */
const tls = builtinOnUse<typeof import('node:tls')>('node:tls');

/**
 * Resolves `host` and opens a TCP connection to its first address, as Vigil does for tcp:// and
 * ssh:// replicas (and tls://), from `localAddress` when given (a cluster member's
 * `source_address`). DNS and connect both count against the deadline. Rejects on any failure.
 */
export async function connectTcp(
  host: string,
  port: number,
  deadline: Deadline,
  localAddress?: string,
): Promise<Socket> {
  const { address } = await deadline.race(lookup(host));
  return whenSocketEmits(connect({ host: address, port, localAddress }), 'connect', deadline);
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
      reject(deadline.reason);
    });
    socket.once('error', onError);
    socket.once(event, () => {
      stopWatching();
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/**
 * A verified TLS handshake over a connected socket: the chain against Node's CAs (plus
 * NODE_EXTRA_CA_CERTS) and the certificate against `host`. Rejects on failure or at the deadline.
 */
export function startTls(socket: Socket, host: string, deadline: Deadline): Promise<TLSSocket> {
  // SNI carries names only; an IP literal is still checked against the certificate's IP entries.
  const secure = tls().connect({ socket, host, servername: isIP(host) ? undefined : host });
  return whenSocketEmits(secure, 'secureConnect', deadline);
}

/**
 * One attempt that connects to `host:port` and then runs `converse` on the socket (a protocol's
 * first exchange): healthy when it resolves, dead with the reason of whatever failed first. The
 * connection is always dropped afterwards.
 */
export async function checkOverTcp(
  host: string,
  port: number,
  context: ProbeContext,
  converse: (socket: Socket, deadline: Deadline) => Promise<void>,
): Promise<ProbeResult> {
  const deadline = new Deadline(context.timeoutMs, context.signal);
  let socket: Socket | undefined;
  try {
    socket = await connectTcp(host, port, deadline, context.localAddress);
    await converse(socket, deadline);
    return deadline.healthy();
  } catch (error) {
    return deadline.dead(describeError(error));
  } finally {
    socket?.destroy();
    deadline.dispose();
  }
}
