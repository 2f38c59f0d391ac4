import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- @xmpp/client ships no type declarations; XmppModule below types the part we use.
import * as xmppModule from '@xmpp/client';
import { closedPort } from '../probes/loopback.js';

/** A real Prosody on a free loopback port, with two virtual hosts and the users asked for. */
export interface Prosody {
  port: number;
  /** `xmpp://127.0.0.1:<port>` */
  service: string;
  stop(): Promise<void>;
}

/** Offers STARTTLS with the test certificate (localhost, signed by the test CA the runner trusts). */
export const TLS_HOST = 'localhost';
/** Has no certificate and mod_tls off, so Prosody offers no STARTTLS there. */
export const PLAIN_HOST = 'nossl.test';

const TLS_FIXTURES = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const START_TIMEOUT_MS = 15_000;

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Prosody refuses to run as root (and then hangs), so as root everything runs as the prosody user. */
function asProsodyUser(command: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'prosody', '--', ...command] : command;
}

function giveToProsody(path: string): void {
  if (process.getuid?.() !== 0) return;
  const owner = spawnSync('id', ['-u', 'prosody'], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', 'prosody'], { encoding: 'utf8' });
  chownSync(path, Number(owner.stdout), Number(group.stdout));
}

async function acceptsConnections(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

function config(dir: string, port: number): string {
  return `
pidfile = "${dir}/data/prosody.pid"
data_path = "${dir}/data"
-- An empty directory: keeps Prosody from picking up the system's certificates in /etc/prosody/certs.
certificates = "${dir}/no-certs"
daemonize = false
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_interfaces = { "127.0.0.1" }
c2s_ports = { ${port} }
c2s_direct_tls_ports = { }
s2s_ports = { }
s2s_interfaces = { }
http_interfaces = { }
https_interfaces = { }
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix"; }
modules_disabled = { "s2s"; "offline"; }
c2s_require_encryption = false
s2s_require_encryption = false
authentication = "internal_hashed"
-- @xmpp/client derives SCRAM keys one async WebCrypto call per iteration: 10000 (the default) costs ~1.5 s a login.
default_iteration_count = 16
storage = "internal"
log = { { levels = { min = "info" }, to = "console" } }

VirtualHost "${TLS_HOST}"
  ssl = { certificate = "${dir}/certs/server.pem"; key = "${dir}/certs/server.key"; }

VirtualHost "${PLAIN_HOST}"
  modules_disabled = { "tls"; }
`;
}

/**
 * Stops Prosody, bounded. SIGTERM goes to Prosody itself (its pidfile): runuser, given a signal, waits
 * 2 s before it kills its child. The process group, started with `detached`, gets SIGKILL if it lingers.
 */
async function kill(child: ChildProcess, pidfile: string): Promise<void> {
  const group = child.pid;
  if (child.exitCode !== null || child.signalCode !== null || group === undefined) return;
  const exited = once(child, 'exit');
  let prosodyPid = Number.NaN;
  try {
    prosodyPid = Number(readFileSync(pidfile, 'utf8').trim());
  } catch {
    // No pidfile yet: it never finished starting; the group kill below covers it.
  }
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone (ESRCH): that is the goal.
    }
  };
  // A positive pid only: process.kill(0) would signal the test runner's own process group.
  const known = Number.isInteger(prosodyPid) && prosodyPid > 0;
  const timer = setTimeout(() => signal(-group, 'SIGKILL'), known ? 5_000 : 0);
  if (known) signal(prosodyPid, 'SIGTERM');
  await exited;
  clearTimeout(timer);
}

/**
 * Starts Prosody in a temporary directory on a free loopback port and registers `users`
 * (`name@host` → password). Fails loudly when Prosody is missing: these tests must not skip silently.
 */
export async function startProsody(users: Record<string, string>): Promise<Prosody> {
  if (!onPath('prosody') || !onPath('prosodyctl')) {
    throw new Error('prosody is not installed; the XMPP tests need it: apt-get install prosody');
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prosody-'));
  // mkdtemp makes the directory 0700; the prosody user must reach its files inside.
  chmodSync(dir, 0o755);
  for (const sub of ['data', 'certs', 'no-certs']) mkdirSync(join(dir, sub));
  for (const file of ['server.pem', 'server.key']) {
    copyFileSync(join(TLS_FIXTURES, file), join(dir, 'certs', file));
    giveToProsody(join(dir, 'certs', file));
  }
  giveToProsody(join(dir, 'data'));
  const port = await closedPort();
  const configFile = join(dir, 'prosody.cfg.lua');
  writeFileSync(configFile, config(dir, port));

  for (const [jid, password] of Object.entries(users)) {
    const [name = '', host = ''] = jid.split('@');
    const [command = '', ...args] = asProsodyUser([
      'prosodyctl',
      '--config',
      configFile,
      'register',
      name,
      host,
      password,
    ]);
    const result = spawnSync(command, args, { encoding: 'utf8', timeout: START_TIMEOUT_MS });
    if (result.status !== 0) {
      throw new Error(
        `prosodyctl register ${jid} failed (${result.status}): ${result.stdout}${result.stderr}`,
      );
    }
  }

  const [command = '', ...args] = asProsodyUser(['prosody', '--config', configFile]);
  // Its own process group, so stop() reaches Prosody behind runuser too.
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = async () => {
    await kill(child, join(dir, 'data', 'prosody.pid'));
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `prosody did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms:\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, service: `xmpp://127.0.0.1:${port}`, stop };
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  getChildText(name: string): string | null;
}

interface XmppClient {
  on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  reconnect: { stop(): void };
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: unknown): Promise<void>;
  iqCaller: { request(element: unknown): Promise<unknown> };
}

interface XmppModule {
  client(options: { service: string; domain: string; username: string; password: string }): XmppClient;
  xml(name: string, attributes?: Record<string, string>, ...children: unknown[]): unknown;
}

const { client, xml } = xmppModule as XmppModule;

/** A logged-in, available account that collects the chat messages it receives. */
export interface Receiver {
  /** The next message received (or already waiting), bounded so a lost message fails the test. */
  nextMessage(timeoutMs?: number): Promise<XmlElement>;
  stop(): Promise<void>;
}

export async function connectReceiver(service: string, jid: string, password: string): Promise<Receiver> {
  const [username = '', domain = ''] = jid.split('@');
  const xmpp = client({ service, domain, username, password });
  xmpp.reconnect.stop();
  xmpp.on('error', () => {});
  const queue: XmlElement[] = [];
  const waiting: ((stanza: XmlElement) => void)[] = [];
  xmpp.on('stanza', (stanza) => {
    if (stanza.name !== 'message') return;
    const waiter = waiting.shift();
    if (waiter) waiter(stanza);
    else queue.push(stanza);
  });
  await xmpp.start();
  // Available presence, so messages to the bare JID are routed here; the ping round trip
  // guarantees Prosody has processed it before a test sends anything.
  await xmpp.send(xml('presence'));
  await xmpp.iqCaller.request(
    xml('iq', { type: 'get', to: domain }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
  );
  return {
    nextMessage(timeoutMs = 5_000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(new Error(`no message reached ${jid} within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (stanza: XmlElement) => {
          clearTimeout(timer);
          resolve(stanza);
        };
        waiting.push(waiter);
      });
    },
    async stop() {
      await xmpp.stop().catch(() => {});
    },
  };
}
