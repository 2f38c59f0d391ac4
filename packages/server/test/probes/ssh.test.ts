import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { CLIENT_IDENT, readGreeting, sshProbe } from '../../src/probes/ssh.js';
import { closedPort, running, type Served, serve } from './loopback.js';

const check = (port: number, timeoutMs = 2000) =>
  sshProbe.check({ kind: 'ssh', host: '127.0.0.1', port }, { timeoutMs, signal: running });

/** A plain TCP server that runs `onConnection` for each client. */
const rawServer = (onConnection: (socket: Socket) => void) =>
  serve(
    createServer((socket) => {
      socket.on('error', () => undefined);
      onConnection(socket);
    }),
  );

/** A real SSH server (no authentication ever succeeds; the probe never gets that far). */
function sshServer(config: Partial<ssh2.ServerConfig> = {}): Promise<Served> {
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
  return serve(
    new ssh2.Server({ hostKeys: [hostKey], ...config }, (client) => {
      // The probe hangs up in the middle of the key exchange.
      client.on('error', () => undefined);
    }),
  );
}

describe('ssh probe against real servers', () => {
  let plain: Served;
  let withGreeting: Served;
  const seenIdents: string[] = [];
  let recording: Served;

  before(async () => {
    plain = await sshServer();
    // RFC 4253 §4.2 lets a server send text lines before its identification.
    withGreeting = await sshServer({ greeting: 'Authorised users only\r\nSecond line' });
    recording = await rawServer((socket) =>
      socket.once('data', (data) => {
        seenIdents.push(data.toString());
        socket.end();
      }),
    );
  });
  after(async () => {
    await plain.close();
    await withGreeting.close();
    await recording.close();
  });

  test('an SSH server that offers a key exchange is healthy', async () => {
    const result = await check(plain.port);
    assert.equal(result.health, 'healthy', result.reason);
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
  });

  test('the connection comes from the local address given (source_address)', async () => {
    const from: Array<string | undefined> = [];
    const server = await rawServer((socket) => {
      from.push(socket.remoteAddress);
      socket.end('SSH-2.0-Test\r\n');
    });
    try {
      await sshProbe.check(
        { kind: 'ssh', host: '127.0.0.1', port: server.port },
        { timeoutMs: 2000, signal: running, localAddress: '127.0.0.3' },
      );
      assert.deepEqual(from, ['127.0.0.3']);
    } finally {
      await server.close();
    }
  });

  test('text lines before the identification are skipped', async () => {
    const result = await check(withGreeting.port);
    assert.equal(result.health, 'healthy', result.reason);
  });

  test('the probe identifies itself', async () => {
    await check(recording.port);
    assert.deepEqual(seenIdents, [`${CLIENT_IDENT}\r\n`]);
  });
});

describe('ssh probe against other servers', () => {
  test('an HTTP-like answer is not an SSH server', async () => {
    const served = await rawServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      const result = await check(served.port);
      assert.equal(result.health, 'dead');
      assert.equal(result.reason, 'not an SSH server (got "HTTP/1.1 400 Bad Request")');
    } finally {
      await served.close();
    }
  });

  test('binary garbage fails at once, without waiting for the timeout', async () => {
    const served = await rawServer((socket) => socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x2a])));
    try {
      const result = await check(served.port, 5000);
      assert.equal(result.health, 'dead');
      assert.match(result.reason ?? '', /^not an SSH server \(got /);
      assert.ok(result.latencyMs < 1000);
    } finally {
      await served.close();
    }
  });

  test('a silent server times out', async () => {
    const served = await rawServer(() => undefined);
    try {
      const result = await check(served.port, 300);
      assert.equal(result.reason, 'timed out after 0.3 s');
      assert.ok(result.latencyMs >= 290);
    } finally {
      await served.close();
    }
  });

  test('a server that hangs up at once closed before the identification', async () => {
    const served = await rawServer((socket) => socket.end());
    try {
      assert.equal((await check(served.port)).reason, 'connection closed before the SSH identification');
    } finally {
      await served.close();
    }
  });

  test('a closed port is refused', async () => {
    assert.equal((await check(await closedPort())).reason, 'connection refused');
  });
});

describe('readGreeting', () => {
  const kexinit = Buffer.from([0, 0, 0, 12, 4, 20]);
  const ident = (line: string, packet = Buffer.alloc(0)) =>
    readGreeting(Buffer.concat([Buffer.from(line), packet]));

  test('accepts SSH-2.0 and SSH-1.99 followed by KEXINIT, with CR LF or bare LF', () => {
    assert.deepEqual(ident('SSH-2.0-OpenSSH_9.6\r\n', kexinit), { state: 'kexinit' });
    assert.deepEqual(ident('SSH-1.99-Cisco-1.25\n', kexinit), { state: 'kexinit' });
  });

  test('waits for more data while the greeting is incomplete', () => {
    assert.deepEqual(ident(''), {
      state: 'incomplete',
      endReason: 'connection closed before the SSH identification',
    });
    assert.deepEqual(ident('SSH-2.0-Open'), {
      state: 'incomplete',
      endReason: 'connection closed before the SSH identification',
    });
    assert.deepEqual(ident('SSH-2.0-OpenSSH\r\n', kexinit.subarray(0, 5)), {
      state: 'incomplete',
      endReason: 'connection closed before key exchange',
    });
  });

  test('rejects other protocol versions', () => {
    assert.throws(() => ident('SSH-1.5-old\r\n'), /unsupported SSH version \(got "SSH-1.5-old"\)/);
  });

  test('rejects a first packet that is not KEXINIT', () => {
    const disconnect = Buffer.from([0, 0, 0, 12, 4, 1]);
    assert.throws(() => ident('SSH-2.0-x\r\n', disconnect), /no key exchange offered \(message 1\)/);
    const huge = Buffer.from([0x7f, 0, 0, 0, 4, 20]);
    assert.throws(() => ident('SSH-2.0-x\r\n', huge), /no key exchange offered \(malformed packet\)/);
  });

  test('rejects over-long lines and endless preambles', () => {
    assert.throws(() => ident('x'.repeat(300)), /not an SSH server/);
    assert.throws(() => ident('banner line\r\n'.repeat(2000)), /not an SSH server \(got "banner line"\)/);
  });
});
