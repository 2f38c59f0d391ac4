import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connectTcp } from './connect.js';
import { Deadline } from './deadline.js';
import { describeError, ProbeFailure } from './errors.js';
import type { ProbeKind } from './types.js';
import { serviceUrlForm } from './url-parts.js';

/** mqtt://[USER[:PASSWORD]@]HOST:PORT: CONNECT, then the broker's CONNACK must accept it. */
export interface MqttTarget {
  kind: 'mqtt';
  host: string;
  port: number;
  username?: string;
  password?: string;
}

type MqttPacketModule = typeof import('mqtt-packet');

/** MQTT 3.1.1 §3.2.2.3: why a broker refused a CONNECT. */
const REFUSALS: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** A fresh client id per check: a broker disconnects an older session that has the same id. */
function clientId(): string {
  return `vigil-ts-probe-${randomBytes(6).toString('hex')}`;
}

/** Resolves with the CONNACK return code; rejects on anything but a CONNACK, or on a close first. */
function awaitConnack(socket: Socket, mqtt: MqttPacketModule, deadline: Deadline): Promise<number> {
  return new Promise((resolve, reject) => {
    const parser = mqtt.parser();
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') resolve(packet.returnCode ?? 0);
      else reject(new ProbeFailure(`the broker answered ${packet.cmd.toUpperCase()} instead of CONNACK`));
    });
    parser.on('error', (error: Error) => reject(new ProbeFailure(`not an MQTT broker (${error.message})`)));
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    socket.once('end', () => reject(new ProbeFailure('connection closed before CONNACK')));
    socket.on('error', reject);
    deadline.onAbort(() => reject(deadline.reason));
  });
}

/**
 * mqtt://[USER[:PASSWORD]@]HOST:PORT: an MQTT 3.1.1 CONNECT (clean session, no will); healthy when
 * the broker's CONNACK accepts it, then a DISCONNECT. The packet codec is loaded on the first check.
 */
export const mqttProbe: ProbeKind<MqttTarget> = {
  kind: 'mqtt',
  url: serviceUrlForm(
    'mqtt',
    'mqtt://[USER[:PASSWORD]@]HOST:PORT',
    ({ host, port, user, password, path }, fail) => {
      if (path !== undefined) return fail('must not have a path');
      if (password !== undefined && user === undefined) return fail('has a password but no user');
      const address: MqttTarget = { kind: 'mqtt', host, port };
      if (user !== undefined) address.username = user;
      if (password !== undefined) address.password = password;
      return { ok: true, address };
    },
  ),
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    let socket: Socket | undefined;
    try {
      const mqtt = await deadline.race(import('mqtt-packet'));
      socket = await connectTcp(target.host, target.port, deadline, context.localAddress);
      const connack = awaitConnack(socket, mqtt, deadline);
      socket.write(
        mqtt.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          // No keep-alive: the probe hangs up right after the CONNACK.
          keepalive: 0,
          clientId: clientId(),
          username: target.username,
          password: target.password === undefined ? undefined : Buffer.from(target.password),
        }),
      );
      const returnCode = await connack;
      if (returnCode !== 0) {
        throw new ProbeFailure(`refused: ${REFUSALS[returnCode] ?? `return code ${returnCode}`}`);
      }
      const result = deadline.healthy();
      socket.end(mqtt.generate({ cmd: 'disconnect' }));
      return result;
    } catch (error) {
      socket?.destroy();
      return deadline.dead(describeError(error));
    } finally {
      deadline.dispose();
    }
  },
};
