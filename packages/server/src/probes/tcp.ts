import { connectTcp } from './connect.js';
import { Deadline } from './deadline.js';
import { describeError } from './errors.js';
import type { ProbeKind } from './types.js';
import { bareHostPortUrl } from './url-parts.js';

/** tcp://HOST:PORT: a connection opens. */
export interface TcpTarget {
  kind: 'tcp';
  host: string;
  port: number;
}

/** tcp://host:port: healthy once a connection to the first resolved address opens (spec §4.3). */
export const tcpProbe: ProbeKind<TcpTarget> = {
  kind: 'tcp',
  url: {
    schemes: ['tcp'],
    grammar: 'tcp://HOST:PORT',
    parse: (url, context) => bareHostPortUrl('tcp', url, context),
  },
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    try {
      const socket = await connectTcp(target.host, target.port, deadline, context.localAddress);
      socket.destroy();
      return deadline.healthy();
    } catch (error) {
      return deadline.dead(describeError(error));
    } finally {
      deadline.dispose();
    }
  },
};
