import type { Socket } from 'node:net';
import { connectTcp, startTls } from './connect.js';
import { Deadline } from './deadline.js';
import { describeError } from './errors.js';
import { peerCertificateExpiryMs, resultAfterExpiry } from './tls-expiry.js';
import type { ProbeKind } from './types.js';
import { bareHostPortUrl } from './url-parts.js';

/** tls://host:port (extension): a TCP connection plus a verified TLS handshake. */
export interface TlsTarget {
  kind: 'tls';
  host: string;
  port: number;
  /** Sick when the certificate expires in fewer whole days; 0 or absent never (the node's `poll_tls_expiry_sick_days`). */
  tlsExpirySickDays?: number;
}

/** What a tls:// URL gives; the topology adds the expiry threshold. */
type TlsAddress = Omit<TlsTarget, 'tlsExpirySickDays'>;

/**
 * tls://host:port (extension): a TCP connection to the first resolved address, as tcp:// does, then
 * a TLS handshake that verifies the certificate chain and name. Healthy once it completes; sick when
 * the certificate expires within the node's threshold, like https://.
 */
export const tlsProbe: ProbeKind<TlsTarget, TlsAddress> = {
  kind: 'tls',
  url: {
    schemes: ['tls'],
    grammar: 'tls://HOST:PORT (no path)',
    parse: (url, context) => bareHostPortUrl('tls', url, context),
  },
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    let socket: Socket | undefined;
    try {
      socket = await connectTcp(target.host, target.port, deadline, context.localAddress);
      const tlsSocket = await startTls(socket, target.host, deadline);
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
