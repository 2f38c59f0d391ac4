import assert from 'node:assert/strict';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { MIXED_PROBES } from '../helpers/config.js';
import { exchange } from '../helpers/http-exchange.js';
import { basicAuth, startTestServer } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const REQUEST_TIMEOUT_S = 2;
/** Node looks for late requests once a second; the rest is room for a loaded CI machine. */
const CUT_SLACK_MS = 1000 + 3000;
const REPORT = JSON.stringify({ replica: 'steady', interval: 30, load: { cpu: 0.1, ram: 0.1 } });

interface SlowClient {
  socket: Socket;
  connectedAt: number;
  closedAt?: number;
  received: string;
}

/** A client that sends `head` and then one byte a second, forever, as a slowloris attacker does. */
function slowClient(port: number, head: string, opened: Set<Socket>): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    opened.add(socket);
    const client: SlowClient = { socket, connectedAt: 0, received: '' };
    const drip = setInterval(() => socket.write('a'), 1000);
    socket.on('data', (chunk) => {
      client.received += chunk.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      client.closedAt = Date.now();
    });
    socket.once('connect', () => {
      client.connectedAt = Date.now();
      socket.write(head);
      resolve(client);
    });
    socket.once('error', reject);
  });
}

const slowBody = (authorization?: string) =>
  'POST /reporter/web/app/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
  `${authorization ? `Authorization: ${authorization}\r\n` : ''}Content-Length: 1000\r\n\r\n{`;
const SLOW_HEADERS = 'GET /status/text/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: ';

async function untilClosed(clients: SlowClient[], deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs && clients.some((client) => client.closedAt === undefined)) await delay(50);
}

/** Every socket a test opened, destroyed after it whatever happened, so a failure cannot hang the run. */
const opened = new Set<Socket>();
afterEach(() => {
  for (const socket of opened) socket.destroy();
  opened.clear();
});

describe('slow clients are cut by [server] request_timeout', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer(MIXED_PROBES, {
      configure: (config) => {
        config.server.request_timeout = REQUEST_TIMEOUT_S;
      },
    });
  });
  after(() => server.close());

  test('200 slow clients are cut within the timeout while others are served and live updates stay open', async (t) => {
    // Live updates are one long response: the request timeout must not cut them.
    let liveData = '';
    let liveClosed = false;
    const live = get({ host: '127.0.0.1', port: server.port, path: '/status/live' }, (res) => {
      res.on('data', (chunk: Buffer) => {
        liveData += chunk.toString();
      });
    });
    live.on('close', () => {
      liveClosed = true;
    });
    t.after(() => live.destroy());

    const heads = [
      ...Array.from({ length: 70 }, () => slowBody()),
      ...Array.from({ length: 70 }, () => slowBody(basicAuth('reporter-secret'))),
      ...Array.from({ length: 60 }, () => SLOW_HEADERS),
    ];
    const clients = await Promise.all(heads.map((head) => slowClient(server.port, head, opened)));

    // Normal clients keep getting answers while the slow ones hang on.
    const answers: number[] = [];
    const startedAt = Date.now();
    while (Date.now() - startedAt < (REQUEST_TIMEOUT_S + 1) * 1000) {
      const [text, report] = await Promise.all([
        exchange(server.port, '/status/text/'),
        exchange(server.port, '/reporter/web/app/', {
          method: 'POST',
          headers: { Authorization: basicAuth('reporter-secret'), 'Content-Type': 'application/json' },
          body: REPORT,
        }),
      ]);
      answers.push(text.status, report.status);
      await delay(100);
    }
    assert.ok(answers.length >= 10, `${answers.length} answers`);
    assert.deepEqual(new Set(answers), new Set([200]));

    await untilClosed(clients, Date.now() + REQUEST_TIMEOUT_S * 1000 + CUT_SLACK_MS);
    for (const client of clients) {
      assert.ok(client.closedAt !== undefined, 'every slow client is cut');
      const heldMs = client.closedAt - client.connectedAt;
      assert.ok(heldMs >= REQUEST_TIMEOUT_S * 1000 - 100, `cut after ${heldMs} ms, not before the timeout`);
      assert.ok(heldMs <= REQUEST_TIMEOUT_S * 1000 + CUT_SLACK_MS, `cut after ${heldMs} ms`);
    }
    const slowHeaderClient = clients.at(-1);
    assert.match(slowHeaderClient?.received ?? '', /^HTTP\/1\.1 408 /);

    assert.equal(liveClosed, false, 'the live stream is still open');
    assert.match(liveData, /event: version/);
  });
});

describe('[server] max_connections', () => {
  const MAX = 20;
  const logLines: Array<Record<string, unknown>> = [];
  let server: Server;
  before(async () => {
    server = await startTestServer(MIXED_PROBES, {
      logger: pino({ level: 'warn' }, { write: (line: string) => logLines.push(JSON.parse(line)) }),
      configure: (config) => {
        config.server.max_connections = MAX;
      },
    });
  });
  after(() => server.close());

  const openConnections = () =>
    new Promise<number>((resolve, reject) =>
      server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );

  test('past the cap new connections are closed at once, the server stays up and serves again', async () => {
    const held = await Promise.all(
      Array.from({ length: MAX }, () => slowClient(server.port, SLOW_HEADERS, opened)),
    );
    while ((await openConnections()) < MAX) await delay(20);

    const refused = await Promise.all(
      Array.from({ length: 10 }, () => slowClient(server.port, SLOW_HEADERS, opened)),
    );
    await untilClosed(refused, Date.now() + 5000);
    for (const client of refused) {
      assert.ok(client.closedAt !== undefined, 'closed by the server');
      assert.equal(client.received, '', 'closed without an answer');
    }
    assert.ok(
      held.every((client) => client.closedAt === undefined),
      'open connections are kept',
    );
    const refusals = logLines.filter((line) => /connection refused/.test(String(line.msg)));
    assert.ok(refusals.length >= 1 && refusals.length <= 5, `${refusals.length} refusal lines`);

    for (const client of held) client.socket.destroy();
    while ((await openConnections()) > 0) await delay(20);
    assert.equal((await exchange(server.port, '/status/text/')).status, 200);
  });
});
