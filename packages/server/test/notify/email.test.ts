import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import type { SMTPServerOptions } from 'smtp-server';
import { emailChannel } from '../../src/notify/channels/email.js';
import type { Alert } from '../../src/notify/types.js';
import { startSmtp } from '../helpers/smtp.js';
import { closedPort, running, serve } from '../probes/loopback.js';
import { messageAlert as alert, MESSAGE_PAGE as PAGE, MESSAGE_REPLICAS as REPLICAS } from './fixtures.js';

const TLS = new URL('../fixtures/tls/', import.meta.url);
const key = readFileSync(new URL('server.key', TLS));
const cert = readFileSync(new URL('server.pem', TLS));

type Smtp = Awaited<ReturnType<typeof startSmtp>>;

const servers: Smtp[] = [];
async function smtp(options: SMTPServerOptions): Promise<Smtp> {
  const server = await startSmtp(options);
  servers.push(server);
  return server;
}
after(() => Promise.all(servers.map((server) => server.close())));

const NO_STARTTLS: SMTPServerOptions = { disabledCommands: ['STARTTLS'] };
const STARTTLS: SMTPServerOptions = { key, cert };

function channel(port: number, config: Record<string, unknown> = {}, timeoutMs = 10_000) {
  const parsed = emailChannel.schema.parse({
    to: 'ops@example.com',
    from: 'vigil@example.com',
    smtp_host: '127.0.0.1',
    smtp_port: port,
    ...config,
  });
  return emailChannel.create(parsed, { timeoutMs });
}

describe('email channel: Vigil keys and defaults', () => {
  test('defaults follow Vigil, implicit TLS is unset (port 465 decides)', () => {
    const config = emailChannel.schema.parse({ to: 'ops@example.com', from: 'vigil@example.com' });
    assert.deepEqual(config, {
      to: 'ops@example.com',
      from: 'vigil@example.com',
      smtp_host: 'localhost',
      smtp_port: 587,
      smtp_encrypt: true,
      reminders_only: false,
    });
  });

  test('reminders_only lets only reminders through', () => {
    const onlyReminders = channel(25, { reminders_only: true });
    assert.equal(onlyReminders.accepts(alert({ kind: 'startup' })), false);
    assert.equal(onlyReminders.accepts(alert({ kind: 'changed' })), false);
    assert.equal(onlyReminders.accepts(alert({ kind: 'reminder' })), true);
    const everything = channel(25);
    for (const kind of ['startup', 'changed', 'reminder'] as const) {
      assert.equal(everything.accepts(alert({ kind })), true);
    }
  });
});

describe('email channel: TLS modes against a real SMTP server', () => {
  test('smtp_encrypt = true upgrades with STARTTLS and delivers over TLS', async () => {
    const server = await smtp(STARTTLS);
    await channel(server.port).send(alert(), running);
    assert.equal(server.deliveries.length, 1);
    assert.equal(server.deliveries[0]?.secure, true);
  });

  test('smtp_encrypt = true refuses a server that offers no STARTTLS', async () => {
    const server = await smtp(NO_STARTTLS);
    await assert.rejects(
      channel(server.port).send(alert(), running),
      /^Error: email to ops@example\.com via smtp:\/\/127\.0\.0\.1:\d+ failed: .*STARTTLS/,
    );
    assert.equal(server.deliveries.length, 0);
  });

  test('smtp_encrypt = false still upgrades when STARTTLS is offered (opportunistic)', async () => {
    const server = await smtp(STARTTLS);
    await channel(server.port, { smtp_encrypt: false }).send(alert(), running);
    assert.equal(server.deliveries[0]?.secure, true);
  });

  test('smtp_encrypt = false delivers in plain text when STARTTLS is not offered', async () => {
    const server = await smtp(NO_STARTTLS);
    await channel(server.port, { smtp_encrypt: false }).send(alert(), running);
    assert.equal(server.deliveries.length, 1);
    assert.equal(server.deliveries[0]?.secure, false);
  });

  test('smtp_implicit_tls (extension) speaks TLS from the first byte, as SMTPS servers expect', async () => {
    const server = await smtp({ secure: true, key, cert });
    await channel(server.port, { smtp_implicit_tls: true }).send(alert(), running);
    assert.equal(server.deliveries.length, 1);
    assert.equal(server.deliveries[0]?.secure, true);
  });
});

describe('email channel: authentication', () => {
  for (const method of ['PLAIN', 'LOGIN']) {
    test(`AUTH ${method} with smtp_username and smtp_password`, async () => {
      const server = await smtp({ ...STARTTLS, authMethods: [method] });
      await channel(server.port, { smtp_username: 'mailer', smtp_password: 's3cret' }).send(alert(), running);
      assert.deepEqual(server.deliveries[0]?.auth, { method, username: 'mailer', password: 's3cret' });
    });
  }

  for (const only of [{ smtp_username: 'mailer' }, { smtp_password: 's3cret' }]) {
    test(`no AUTH with only ${Object.keys(only)[0]} set`, async () => {
      const server = await smtp(STARTTLS);
      await channel(server.port, only).send(alert(), running);
      assert.equal(server.deliveries.length, 1);
      assert.equal(server.deliveries[0]?.auth, undefined);
    });
  }
});

describe('email channel: the message Vigil sends', () => {
  const footer = ['--', '', 'To unsubscribe, please edit your status page configuration.'];

  async function deliver(sent: Alert) {
    const server = await smtp(STARTTLS);
    await channel(server.port).send(sent, running);
    const delivery = server.deliveries[0];
    assert.ok(delivery);
    return delivery;
  }

  test('change to dead with replicas: envelope, From, To, Subject and body', async () => {
    const delivery = await deliver(alert());
    assert.equal(delivery.mailFrom, 'vigil@example.com');
    assert.deepEqual(delivery.rcptTo, ['ops@example.com']);
    // nodemailer writes the display name quoted only when RFC 5322 needs it; the mailbox is Vigil's "TITLE" <from>.
    assert.equal(delivery.headers.get('from'), 'Crisp Status <vigil@example.com>');
    assert.equal(delivery.headers.get('to'), 'ops@example.com');
    assert.equal(
      delivery.headers.get('subject'),
      'DEAD | web:core:tcp://edge-3.example.com:80, web:core:tcp://edge-4.example.com:80',
    );
    assert.match(delivery.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(
      delivery.body,
      [
        'Status change report from: Crisp Status',
        '',
        '--',
        'Status: Dead',
        'Nodes: web:core:tcp://edge-3.example.com:80, web:core:tcp://edge-4.example.com:80',
        'Time: 14:03:09 UTC+00:00',
        'URL: https://status.example.com/',
        ...footer,
      ].join('\n'),
    );
  });

  test('startup: the subject is the bare status and Nodes is empty', async () => {
    const delivery = await deliver(alert({ kind: 'startup', status: 'healthy', replicas: [] }));
    assert.equal(delivery.headers.get('subject'), 'HEALTHY');
    assert.equal(
      delivery.body,
      [
        'Status startup alert from: Crisp Status',
        '',
        '--',
        'Status: Healthy',
        'Nodes: ',
        'Time: 14:03:09 UTC+00:00',
        'URL: https://status.example.com/',
        ...footer,
      ].join('\n'),
    );
  });

  test('reminder: unchanged-reminder headline', async () => {
    const delivery = await deliver(
      alert({ kind: 'reminder', status: 'sick', replicas: [REPLICAS[0] ?? ''] }),
    );
    assert.equal(delivery.headers.get('subject'), 'SICK | web:core:tcp://edge-3.example.com:80');
    assert.equal(
      delivery.body,
      [
        'Status unchanged reminder from: Crisp Status',
        '',
        '--',
        'Status: Sick',
        'Nodes: web:core:tcp://edge-3.example.com:80',
        'Time: 14:03:09 UTC+00:00',
        'URL: https://status.example.com/',
        ...footer,
      ].join('\n'),
    );
  });

  test('a recovery lists the recovered replicas (extension) inside the block', async () => {
    const delivery = await deliver(alert({ status: 'healthy', replicas: [], recovered: REPLICAS }));
    assert.equal(delivery.headers.get('subject'), 'HEALTHY');
    assert.deepEqual(delivery.body.split('\n').slice(6, 9), [
      'URL: https://status.example.com/',
      'Recovered: web:core:tcp://edge-3.example.com:80, web:core:tcp://edge-4.example.com:80',
      '--',
    ]);
  });

  test('a non-ASCII page title survives in the body and is MIME-encoded in From', async () => {
    const delivery = await deliver(alert({ page: { ...PAGE, title: 'Statut de Crisp — prod' } }));
    assert.match(delivery.headers.get('from') ?? '', /^=\?UTF-8\?[BQ]\?.+\?= <vigil@example\.com>$/);
    assert.equal(delivery.body.split('\n')[0], 'Status change report from: Statut de Crisp — prod');
  });

  test('a test alert says so in the subject', async () => {
    const delivery = await deliver(alert({ kind: 'startup', status: 'healthy', replicas: [], test: true }));
    assert.equal(delivery.headers.get('subject'), '[TEST] HEALTHY');
  });
});

describe('email channel: failures are one attempt with a clear error', () => {
  test('connection refused', async () => {
    const port = await closedPort();
    await assert.rejects(
      channel(port).send(alert(), running),
      new RegExp(
        `^Error: email to ops@example\\.com via smtp://127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`,
      ),
    );
  });

  test('a 5xx at RCPT TO', async () => {
    const server = await smtp({
      ...STARTTLS,
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }));
      },
    });
    await assert.rejects(channel(server.port).send(alert(), running), /failed: .*550 No such mailbox/);
    assert.equal(server.deliveries.length, 0);
  });

  test('an invalid address fails before connecting', async () => {
    let connections = 0;
    const served = await serve(createServer(() => connections++));
    await assert.rejects(
      channel(served.port, { to: 'not an address' }).send(alert(), running),
      /email to address is invalid: "not an address"/,
    );
    assert.equal(connections, 0);
    await served.close();
  });

  test('a server that never greets is given up on after timeoutMs, and the socket is closed', async () => {
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
      channel(silent.port, {}, 300).send(alert(), running),
      /failed: timed out after 300 ms$/,
    );
    assert.ok(Date.now() - started < 2_000);
    const socket = sockets[0];
    assert.ok(socket);
    if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
    await silent.close();
  });

  test('an aborted signal stops the attempt', async () => {
    const silent = await serve(createServer(() => {}));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(channel(silent.port).send(alert(), controller.signal), /failed: .*abort/i);
    await silent.close();
  });
});
