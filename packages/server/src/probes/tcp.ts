import { connectTcp } from './connect.js';
import { Deadline } from './deadline.js';
import { describeError } from './errors.js';
import type { Probe, TargetOf } from './types.js';

/** tcp://host:port: healthy once a connection to the first resolved address opens (spec §4.3). */
export const tcpProbe: Probe<TargetOf<'tcp'>> = {
  kind: 'tcp',
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    try {
      const socket = await connectTcp(target.host, target.port, deadline);
      socket.destroy();
      return deadline.healthy();
    } catch (error) {
      return deadline.dead(describeError(error));
    } finally {
      deadline.dispose();
    }
  },
};
