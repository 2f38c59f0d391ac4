import { isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { connectTcp, whenSocketEmits } from './connect.js';
import { Deadline } from './deadline.js';
import { describeError } from './errors.js';
import { peerCertificateExpiryMs, resultAfterExpiry } from './tls-expiry.js';
import type { Probe, TargetOf } from './types.js';

/** Runs a verified TLS handshake over `socket`, checking the certificate against `host`. */
function handshake(socket: Socket, host: string, deadline: Deadline): Promise<TLSSocket> {
  // SNI carries names only; an IP literal is still checked against the certificate's IP entries.
  const tlsSocket = connectTls({ socket, host, servername: isIP(host) ? undefined : host });
  return whenSocketEmits(tlsSocket, 'secureConnect', deadline);
}

/**
 * tls://host:port (extension): a TCP connection to the first resolved address, as tcp:// does, then
 * a TLS handshake that verifies the certificate chain and name. Healthy once it completes; sick when
 * the certificate expires within the node's threshold, like https://.
 */
export const tlsProbe: Probe<TargetOf<'tls'>> = {
  kind: 'tls',
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    let socket: Socket | undefined;
    try {
      socket = await connectTcp(target.host, target.port, deadline);
      const tlsSocket = await handshake(socket, target.host, deadline);
      const expiryMs = peerCertificateExpiryMs(tlsSocket);
      tlsSocket.destroy();
      return resultAfterExpiry(deadline, expiryMs, context.clock, target.tlsExpirySickDays);
    } catch (error) {
      return deadline.dead(describeError(error));
    } finally {
      socket?.destroy();
      deadline.dispose();
    }
  },
};
