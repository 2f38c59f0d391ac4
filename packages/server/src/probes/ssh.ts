import type { Socket } from 'node:net';
import { checkOverTcp } from './connect.js';
import type { Deadline } from './deadline.js';
import { ProbeFailure } from './errors.js';
import type { ProbeKind } from './types.js';
import { bareHostPortUrl } from './url-parts.js';

/** ssh://HOST:PORT: the server's identification line, then its key exchange offer. */
export interface SshTarget {
  kind: 'ssh';
  host: string;
  port: number;
}

/** Our identification line (RFC 4253 §4.2). */
export const CLIENT_IDENT = 'SSH-2.0-VigilTS_probe';

const SERVER_IDENT = /^SSH-(2\.0|1\.99)-/;
/** Longest identification or preamble line, CR LF included (RFC 4253 §4.2). */
const MAX_LINE_BYTES = 255;
/** Servers may send text lines before their identification; more than this is not SSH. */
const MAX_PREAMBLE_BYTES = 16 * 1024;
/** RFC 4253 §6.1: implementations must handle packets up to this size. */
const MAX_PACKET_BYTES = 35000;
const SSH_MSG_KEXINIT = 20;

/** How far the server's greeting got: `kexinit` is success; `incomplete` says what to report if it stops here. */
export type Greeting = { state: 'kexinit' } | { state: 'incomplete'; endReason: string };

function quote(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
}

function notSsh(line: string): ProbeFailure {
  return new ProbeFailure(`not an SSH server (got ${quote(line)})`);
}

/**
 * Judges everything the server has sent so far: optional preamble lines, then `SSH-2.0-…` (or
 * `SSH-1.99-…`), then a first binary packet that must be SSH_MSG_KEXINIT. Throws a ProbeFailure
 * as soon as the data cannot be an SSH server's greeting.
 */
export function readGreeting(data: Buffer): Greeting {
  let offset = 0;
  let firstLine: string | undefined;
  for (;;) {
    const end = data.indexOf(0x0a, offset);
    const raw = data.subarray(offset, end === -1 ? data.length : end + 1);
    const line = raw.toString('utf8').replace(/\r?\n$/, '');
    if (raw.length > MAX_LINE_BYTES || raw.includes(0) || offset > MAX_PREAMBLE_BYTES) {
      throw notSsh(firstLine ?? line);
    }
    if (end === -1) {
      const seen = firstLine ?? (line.startsWith('SSH-') ? '' : line);
      const endReason = seen ? notSsh(seen).message : 'connection closed before the SSH identification';
      return { state: 'incomplete', endReason };
    }
    offset = end + 1;
    if (line.startsWith('SSH-')) {
      if (!SERVER_IDENT.test(line)) throw new ProbeFailure(`unsupported SSH version (got ${quote(line)})`);
      return readFirstPacket(data.subarray(offset));
    }
    if (line) firstLine ??= line;
  }
}

/** The first binary packet is unencrypted: uint32 length, byte padding length, then the message code. */
function readFirstPacket(packet: Buffer): Greeting {
  if (packet.length < 6) return { state: 'incomplete', endReason: 'connection closed before key exchange' };
  const length = packet.readUInt32BE(0);
  if (length < 5 || length > MAX_PACKET_BYTES) {
    throw new ProbeFailure('no key exchange offered (malformed packet)');
  }
  const code = packet[5];
  if (code !== SSH_MSG_KEXINIT) throw new ProbeFailure(`no key exchange offered (message ${code})`);
  return { state: 'kexinit' };
}

/** Resolves once the server has offered a key exchange; rejects on anything else. */
function awaitKexInit(socket: Socket, deadline: Deadline): Promise<void> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    let greeting: Greeting = readGreeting(data);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      try {
        greeting = readGreeting(data);
        if (greeting.state === 'kexinit') resolve();
      } catch (error) {
        reject(error);
      }
    });
    const onClosed = () => {
      if (greeting.state === 'incomplete') reject(new ProbeFailure(greeting.endReason));
    };
    socket.once('end', onClosed);
    // A reset after the server said something is best explained by what it said.
    socket.once('error', (error) => (data.length > 0 ? onClosed() : reject(error)));
    deadline.onAbort(() => reject(deadline.reason));
  });
}

/**
 * ssh://host:port: TCP connect, then the start of an SSH handshake up to the server's KEXINIT.
 * Vigil's libssh2 handshake goes further (key exchange), but a server that offers a key exchange
 * is up; no authentication is attempted either way.
 */
export const sshProbe: ProbeKind<SshTarget> = {
  kind: 'ssh',
  url: {
    schemes: ['ssh'],
    grammar: 'ssh://HOST:PORT',
    parse: (url, context) => bareHostPortUrl('ssh', url, context),
  },
  check: (target, context) =>
    checkOverTcp(target.host, target.port, context, (socket, deadline) => {
      // Sent at once, as OpenSSH does; a non-SSH server (HTTP…) then answers with a telling error line.
      socket.write(`${CLIENT_IDENT}\r\n`);
      return awaitKexInit(socket, deadline);
    }),
};
