import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import type { ChannelDefinition } from '../../src/notify/channel-definition.js';
import type { Alert, Channel } from '../../src/notify/types.js';
import { VERSION } from '../../src/version.js';
import { errorsOf, FIXTURE_PATH, MINIMAL_CONFIG } from '../config/minimal-config.js';
import {
  type CapturedRequest,
  type CaptureServer,
  refusedUrl,
  startCaptureServer,
} from '../helpers/capture-server.js';

/** Shared alerts and checks for the channel tests: every channel is held to the same contract. */

/** A fixed alert time, so TIME is deterministic. */
export const AT = Date.UTC(2026, 2, 5, 8, 58, 28);
export const TIME = '08:58:28 UTC+00:00';
export const PAGE = { title: 'Crisp Status', url: 'https://status.crisp.chat/' };
export const DEAD_REPLICAS = [
  'web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80',
  'web:load-balancer:tcp://edge-3.pool.net.crisp.chat:80',
];
/** NODES for DEAD_REPLICAS. */
export const NODES = DEAD_REPLICAS.join(', ');

export function alert(overrides: Partial<Alert> = {}): Alert {
  return { id: 'alert-1', kind: 'changed', status: 'dead', replicas: [], atMs: AT, page: PAGE, ...overrides };
}

export const STARTUP = alert({ kind: 'startup', status: 'healthy' });
export const DEAD = alert({ kind: 'changed', status: 'dead', replicas: DEAD_REPLICAS });
/** A reminder with escalation off: Vigil escalates every target. */
export const REMINDER = alert({ kind: 'reminder', status: 'dead', replicas: DEAD_REPLICAS });
/** The first escalated reminder: only target 0 is escalated. */
export const ESCALATED_ONCE = alert({
  kind: 'reminder',
  status: 'dead',
  replicas: DEAD_REPLICAS,
  escalated: 1,
});
export const RECOVERED = alert({
  kind: 'changed',
  status: 'healthy',
  recovered: ['web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80', 'web:router:icmp://edge-2'],
});

/** The page the message channels (email, XMPP) are tested with. */
export const MESSAGE_PAGE = { title: 'Crisp Status', url: 'https://status.example.com/' };
export const MESSAGE_REPLICAS = [
  'web:core:tcp://edge-3.example.com:80',
  'web:core:tcp://edge-4.example.com:80',
];

/** The message channels' alert: MESSAGE_REPLICAS dead at 2026-03-05 14:03:09 UTC. */
export function messageAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    kind: 'changed',
    status: 'dead',
    replicas: MESSAGE_REPLICAS,
    atMs: Date.UTC(2026, 2, 5, 14, 3, 9),
    page: MESSAGE_PAGE,
    ...overrides,
  };
}

/** A signal that never aborts. */
export const running: AbortSignal = new AbortController().signal;

/** Runs `definition`'s schema over a raw table and builds the channel, as the registry will. */
export function build<D extends ChannelDefinition>(
  definition: D,
  table: unknown,
  timeoutMs = 5_000,
): Channel {
  return definition.create(definition.schema.parse(table), { timeoutMs });
}

/** Form fields in order, to deepEqual against Vigil's. */
export function formFields(body: string): Array<[string, string]> {
  return [...new URLSearchParams(body)];
}

/** One `[notify.<name>]` table of the complete test config, as written there (before any schema). */
export function sampleTable(name: string): Record<string, unknown> {
  const parsed = parseToml(readFileSync(FIXTURE_PATH, 'utf8')) as {
    notify: Record<string, Record<string, unknown> | undefined>;
  };
  const table = parsed.notify[name];
  assert.ok(table, `no [notify.${name}] in the test config`);
  return table;
}

/** What loading a config with `[notify.<name>]` holding `keys` (TOML lines) reports, as one text. */
export function tableErrors(name: string, keys: string): string {
  return errorsOf(`${MINIMAL_CONFIG}\n[notify.${name}]\n${keys}\n`).join('\n');
}

/**
 * The `hook_url` rule of Vigil TS's own webhook channels, through a whole config load: missing,
 * relative or not http(s), the config is refused with the key named.
 */
export function hookUrlContract(definition: ChannelDefinition): void {
  test(`${definition.name}: a bad hook_url is refused at load, naming the key`, () => {
    const key = `notify\\.${definition.name}\\.hook_url`;
    const errors = (keys: string) => tableErrors(definition.name, keys);
    assert.match(errors(''), new RegExp(key));
    assert.match(errors('hook_url = "/hooks/x"'), new RegExp(`${key}.*absolute URL`));
    assert.match(errors('hook_url = "ftp://example.com/x"'), new RegExp(`${key}.*http:// or https://`));
  });
}

/** A capture server for a describe block, reset to answer 200 with no requests before each use. */
export function useCaptureServer(): { server: () => CaptureServer } {
  let server: CaptureServer | undefined;
  before(async () => {
    server = await startCaptureServer();
  });
  after(() => server?.close());
  return {
    server() {
      assert.ok(server, 'capture server not started');
      server.requests.length = 0;
      server.reply({ status: 200 });
      return server;
    },
  };
}

/**
 * Sends `alertToSend` through `definition` built from `tableFor(capture server URL)`, checks that
 * exactly one request reached the capture server, and returns it.
 */
export async function sendOne(
  capture: { server: () => CaptureServer },
  definition: ChannelDefinition,
  tableFor: (baseUrl: string) => unknown,
  alertToSend: Alert,
): Promise<CapturedRequest> {
  const server = capture.server();
  await build(definition, tableFor(server.url)).send(alertToSend, running);
  assert.equal(server.requests.length, 1);
  const [request] = server.requests;
  assert.ok(request);
  return request;
}

/**
 * The contract every HTTP channel shares: one attempt, 2xx only, clear errors on a non-2xx answer,
 * a refused connection and a silent server. `tableFor` gives a valid table pointing at `baseUrl`.
 */
export function transportContract(
  definition: ChannelDefinition,
  tableFor: (baseUrl: string) => unknown,
): void {
  describe(`${definition.name}: transport failures`, () => {
    const capture = useCaptureServer();

    test('a 500 answer rejects with the status and the start of the body', async () => {
      const server = capture.server();
      server.reply({ status: 500, body: `upstream exploded\n${'x'.repeat(500)}` });
      const channel = build(definition, tableFor(server.url));
      await assert.rejects(channel.send(DEAD, running), (error: Error) => {
        assert.match(error.message, /answered HTTP 500: upstream exploded x+…/);
        assert.doesNotMatch(error.message, /x{200}/, 'the body excerpt is bounded');
        return true;
      });
      assert.ok(server.requests.length >= 1);
    });

    test('a 2xx other than 200 is a success, a 3xx to a 2xx is followed', async () => {
      const server = capture.server();
      server.reply((request) =>
        request.path === '/moved'
          ? { status: 204 }
          : { status: 307, headers: { location: `${server.url}/moved` } },
      );
      await build(definition, tableFor(server.url)).send(DEAD, running);
      assert.equal(server.requests.at(-1)?.path, '/moved');
      assert.equal(server.requests.at(-1)?.method, 'POST', '307 keeps the method');
    });

    test('a refused connection rejects and says the endpoint could not be reached', async () => {
      const channel = build(definition, tableFor(await refusedUrl()));
      await assert.rejects(
        channel.send(DEAD, running),
        /could not reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
      );
    });

    test('a server that never answers makes send reject after the per-attempt timeout', async () => {
      const server = capture.server();
      server.reply('hang');
      const channel = build(definition, tableFor(server.url), 200);
      const started = performance.now();
      await assert.rejects(
        channel.send(DEAD, running),
        /no answer from http:\/\/127\.0\.0\.1:\d+ within 200 ms/,
      );
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 190 && elapsed < 2_000, `rejected after ${elapsed} ms`);
    });

    test("the dispatcher's abort ends the attempt with the abort reason", async () => {
      const server = capture.server();
      server.reply('hang');
      const controller = new AbortController();
      const sending = build(definition, tableFor(server.url)).send(DEAD, controller.signal);
      await server.waitFor(1);
      const reason = new Error('shutting down');
      controller.abort(reason);
      await assert.rejects(sending, (error) => error === reason);
    });

    test('every request names Vigil TS and its version as the User-Agent', async () => {
      const server = capture.server();
      await build(definition, tableFor(server.url)).send(DEAD, running);
      assert.ok(server.requests.length >= 1);
      for (const request of server.requests) {
        assert.equal(request.headers['user-agent'], `vigil-ts/${VERSION}`);
      }
    });

    test('error messages never show the URL path or query, where tokens live', async () => {
      const server = capture.server();
      server.reply({ status: 403 });
      await assert.rejects(build(definition, tableFor(server.url)).send(DEAD, running), (error: Error) => {
        assert.doesNotMatch(error.message, /secret/i);
        return true;
      });
    });
  });

  if ('reminders_only' in (definition.schema.parse(tableFor('http://127.0.0.1:9/')) as object)) {
    describe(`${definition.name}: reminders_only`, () => {
      test('off (the default), it accepts startup, changes and reminders', () => {
        const channel = build(definition, tableFor('http://127.0.0.1:9/'));
        for (const kind of ['startup', 'changed', 'reminder'] as const)
          assert.equal(channel.accepts(alert({ kind })), true);
      });

      test('on, it accepts reminders only', () => {
        const table = { ...(tableFor('http://127.0.0.1:9/') as object), reminders_only: true };
        const channel = build(definition, table);
        assert.equal(channel.accepts(STARTUP), false);
        assert.equal(channel.accepts(DEAD), false);
        assert.equal(channel.accepts(RECOVERED), false);
        assert.equal(channel.accepts(REMINDER), true);
      });
    });
  }
}

/** DEAD with the first replica's failure reason known, as the dispatcher gives it. */
export const DEAD_WITH_REASON = alert({
  ...DEAD,
  reasons: { [DEAD_REPLICAS[0] ?? '']: 'connection refused' },
});

/** The plain-text body of the incident channels (Opsgenie's description, ntfy's message) for DEAD_WITH_REASON. */
export const DEAD_DESCRIPTION = [
  'Status changed to: dead.',
  'Dead:',
  `${DEAD_REPLICAS[0]}: connection refused`,
  DEAD_REPLICAS[1],
  `Time: ${TIME}`,
  `Page: ${PAGE.url}`,
].join('\n');
