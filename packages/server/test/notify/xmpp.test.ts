import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { xmppChannel } from '../../src/notify/channels/xmpp.js';
import {
  connectReceiver,
  PLAIN_HOST,
  type Prosody,
  type Receiver,
  startProsody,
  TLS_HOST,
} from '../helpers/prosody.js';
import { closedPort, running, serve } from '../probes/loopback.js';
import { messageAlert as alert, MESSAGE_REPLICAS as REPLICAS } from './fixtures.js';

const SENDER_PASSWORD = 'vigil-secret';
const RECEIVER_PASSWORD = 'ops-secret';

function channel(config: Record<string, unknown>, timeoutMs = 10_000) {
  return xmppChannel.create(
    xmppChannel.schema.parse({
      to: `ops@${TLS_HOST}`,
      from: `vigil@${TLS_HOST}`,
      xmpp_password: SENDER_PASSWORD,
      ...config,
    }),
    { timeoutMs },
  );
}

describe('xmpp channel: Vigil keys and extensions', () => {
  test('defaults: no service (DNS SRV of the from domain), TLS when offered', () => {
    const config = xmppChannel.schema.parse({
      to: 'ops@example.com',
      from: 'vigil@example.com',
      xmpp_password: 'x',
    });
    assert.deepEqual(config, {
      to: 'ops@example.com',
      from: 'vigil@example.com',
      xmpp_password: 'x',
      xmpp_tls_required: false,
      reminders_only: false,
    });
  });

  test('JIDs and xmpp_service are checked when the configuration loads', () => {
    const base = { to: 'ops@example.com', from: 'vigil@example.com', xmpp_password: 'x' };
    assert.equal(xmppChannel.schema.safeParse({ ...base, from: 'vigil' }).success, false);
    assert.equal(
      xmppChannel.schema.safeParse({ ...base, xmpp_service: 'http://chat.example.com' }).success,
      false,
    );
    assert.equal(
      xmppChannel.schema.safeParse({ ...base, xmpp_service: 'xmpps://chat.example.com:5223' }).success,
      true,
    );
    assert.equal(xmppChannel.schema.safeParse({ ...base, from: 'vigil@example.com/status' }).success, true);
  });

  test('reminders_only lets only reminders through', () => {
    const onlyReminders = channel({ reminders_only: true });
    assert.equal(onlyReminders.accepts(alert({ kind: 'startup' })), false);
    assert.equal(onlyReminders.accepts(alert({ kind: 'changed' })), false);
    assert.equal(onlyReminders.accepts(alert({ kind: 'reminder' })), true);
    assert.equal(channel({}).accepts(alert({ kind: 'startup' })), true);
  });
});

describe('xmpp channel against a real Prosody', () => {
  let prosody: Prosody;
  let tlsReceiver: Receiver;
  let plainReceiver: Receiver;

  before(async () => {
    prosody = await startProsody({
      [`vigil@${TLS_HOST}`]: SENDER_PASSWORD,
      [`ops@${TLS_HOST}`]: RECEIVER_PASSWORD,
      [`vigil@${PLAIN_HOST}`]: SENDER_PASSWORD,
      [`ops@${PLAIN_HOST}`]: RECEIVER_PASSWORD,
    });
    tlsReceiver = await connectReceiver(prosody.service, `ops@${TLS_HOST}`, RECEIVER_PASSWORD);
    plainReceiver = await connectReceiver(prosody.service, `ops@${PLAIN_HOST}`, RECEIVER_PASSWORD);
  });

  after(async () => {
    await tlsReceiver?.stop();
    await plainReceiver?.stop();
    await prosody?.stop();
  });

  test('a change: one chat message with Vigil id, to and body, over STARTTLS when required', async () => {
    const sentAfter = Math.floor(Date.now() / 1000);
    await channel({ xmpp_service: prosody.service, xmpp_tls_required: true }).send(alert(), running);
    const message = await tlsReceiver.nextMessage();
    assert.equal(message.attrs.type, 'chat');
    assert.equal(message.attrs.to, `ops@${TLS_HOST}`);
    assert.match(message.attrs.from ?? '', new RegExp(`^vigil@${TLS_HOST}/`));
    const id = /^vigil-(\d+)$/.exec(message.attrs.id ?? '');
    assert.ok(id, `id ${message.attrs.id}`);
    assert.ok(Number(id[1]) >= sentAfter && Number(id[1]) <= Date.now() / 1000);
    assert.equal(
      message.getChildText('body'),
      [
        'Crisp Status',
        '',
        'Status: Dead',
        'Nodes: web:core:tcp://edge-3.example.com:80, web:core:tcp://edge-4.example.com:80',
        'Time: 14:03:09 UTC+00:00',
        'URL: https://status.example.com/',
      ].join('\n'),
    );
  });

  test('startup and reminder bodies carry Vigil prefixes; a test alert is marked', async () => {
    const sender = channel({ xmpp_service: prosody.service });
    await sender.send(alert({ kind: 'startup', status: 'healthy', replicas: [] }), running);
    assert.equal(
      (await tlsReceiver.nextMessage()).getChildText('body'),
      'Startup alert for: Crisp Status\n\nStatus: Healthy\nNodes: \nTime: 14:03:09 UTC+00:00\nURL: https://status.example.com/',
    );
    await sender.send(alert({ kind: 'reminder', status: 'sick', replicas: [REPLICAS[0] ?? ''] }), running);
    assert.equal(
      (await tlsReceiver.nextMessage()).getChildText('body'),
      'Reminder for: Crisp Status\n\nStatus: Sick\nNodes: web:core:tcp://edge-3.example.com:80\n' +
        'Time: 14:03:09 UTC+00:00\nURL: https://status.example.com/',
    );
    await sender.send(alert({ kind: 'reminder', test: true }), running);
    assert.match(
      (await tlsReceiver.nextMessage()).getChildText('body') ?? '',
      /^\[TEST\] Reminder for: Crisp Status\n/,
    );
  });

  test('a recovery adds the recovered line (extension) before the URL line', async () => {
    await channel({ xmpp_service: prosody.service }).send(
      alert({ status: 'healthy', replicas: [], recovered: [REPLICAS[0] ?? ''] }),
      running,
    );
    assert.equal(
      (await tlsReceiver.nextMessage()).getChildText('body'),
      'Crisp Status\n\nStatus: Healthy\nNodes: \nTime: 14:03:09 UTC+00:00\n' +
        'Recovered: web:core:tcp://edge-3.example.com:80\nURL: https://status.example.com/',
    );
  });

  test('by default a server without TLS still gets the message, as with Vigil', async () => {
    await channel({
      to: `ops@${PLAIN_HOST}`,
      from: `vigil@${PLAIN_HOST}`,
      xmpp_service: prosody.service,
    }).send(alert(), running);
    const message = await plainReceiver.nextMessage();
    assert.equal(message.attrs.to, `ops@${PLAIN_HOST}`);
    assert.match(message.getChildText('body') ?? '', /^Crisp Status\n/);
  });

  test('xmpp_tls_required refuses a server without TLS before logging in', async () => {
    await assert.rejects(
      channel({
        to: `ops@${PLAIN_HOST}`,
        from: `vigil@${PLAIN_HOST}`,
        xmpp_service: prosody.service,
        xmpp_tls_required: true,
      }).send(alert(), running),
      new RegExp(
        `^Error: xmpp message from vigil@${PLAIN_HOST} to ops@${PLAIN_HOST} via ${prosody.service} failed: ` +
          'the server offers no TLS and xmpp_tls_required is set$',
      ),
    );
  });

  test('a wrong password rejects with an authentication error', async () => {
    await assert.rejects(
      channel({ xmpp_service: prosody.service, xmpp_password: 'wrong' }).send(alert(), running),
      /failed: authentication was refused \(not-authorized/,
    );
  });
});

describe('xmpp channel: unreachable and silent servers', () => {
  test('connection refused', async () => {
    const port = await closedPort();
    await assert.rejects(
      channel({ xmpp_service: `xmpp://127.0.0.1:${port}` }).send(alert(), running),
      new RegExp(`via xmpp://127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`),
    );
  });

  test('a server that never answers is given up on after timeoutMs, and the socket is closed', async () => {
    const sockets: Socket[] = [];
    const silent = await serve(
      createServer((socket) => {
        // Reading is what notices the peer hanging up.
        socket.resume();
        sockets.push(socket);
      }),
    );
    const started = Date.now();
    await assert.rejects(
      channel({ xmpp_service: `xmpp://127.0.0.1:${silent.port}` }, 300).send(alert(), running),
      /failed: timed out after 300 ms$/,
    );
    const socket = sockets[0];
    assert.ok(socket);
    if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
    assert.ok(Date.now() - started < 3_000);
    await silent.close();
  });

  test('an abort stops the attempt', async () => {
    const silent = await serve(createServer(() => {}));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(
      // A short timeoutMs only because the client's own stream-open timer outlives the abort, delaying exit.
      channel({ xmpp_service: `xmpp://127.0.0.1:${silent.port}` }, 1_000).send(alert(), controller.signal),
      /failed: .*abort/i,
    );
    await silent.close();
  });
});
