import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import { parse } from 'smol-toml';
import { configSchema, type RabbitmqConfig } from '../../src/config/schema.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { judgeQueue, RabbitmqQueueChecker } from '../../src/plugins/rabbitmq.js';
import { queueApiUrl } from '../../src/plugins/rabbitmq-api.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';
import { waitFor } from '../helpers/vigil.js';

const THRESHOLDS = { readyHealthyBelow: 10, nackHealthyBelow: 5, readyDeadAbove: 20, nackDeadAbove: 8 };

describe('queue verdict (spec §4.7)', () => {
  test('loaded from >= healthy_below, stalled from > dead_above, for ready and nack alike', () => {
    const judge = (ready: number, nack: number) => {
      const { loaded, stalled } = judgeQueue({ ready, nack }, THRESHOLDS);
      return { loaded, stalled };
    };
    assert.deepEqual(judge(9, 4), { loaded: false, stalled: false });
    assert.deepEqual(judge(10, 0), { loaded: true, stalled: false });
    assert.deepEqual(judge(0, 5), { loaded: true, stalled: false });
    assert.deepEqual(judge(20, 8), { loaded: true, stalled: false });
    assert.deepEqual(judge(21, 0), { loaded: true, stalled: true });
    assert.deepEqual(judge(0, 9), { loaded: true, stalled: true });
  });

  test('the counts travel with the verdict', () => {
    assert.deepEqual(judgeQueue({ ready: 3, nack: 1 }, THRESHOLDS), {
      loaded: false,
      stalled: false,
      ready: 3,
      nack: 1,
    });
  });

  test('the queue path replaces any path of api_url; vhost and queue go in raw', () => {
    assert.equal(
      queueApiUrl('http://rabbit.local:15672/some/prefix/', '%2F', 'jobs').href,
      'http://rabbit.local:15672/api/queues/%2F/jobs',
    );
    assert.equal(queueApiUrl('http://r:1', 'staging', 'a.b').href, 'http://r:1/api/queues/staging/a.b');
  });
});

interface SeenRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A loopback stand-in for the management API: each test sets how it answers. */
class FakeManagementApi {
  readonly requests: SeenRequest[] = [];
  answer: (request: SeenRequest, response: ServerResponse) => void = (_request, response) =>
    counts(response, 0, 0);
  private readonly server: Server = createServer((request, response) => {
    const seen = { url: request.url ?? '', headers: request.headers };
    this.requests.push(seen);
    this.answer(seen, response);
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function counts(response: ServerResponse, ready: number, nack: number) {
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.end(
    JSON.stringify({ name: 'q', messages_ready: ready, messages_unacknowledged: nack, messages: 9 }),
  );
}

function buildModel(apiUrl: string, options: { retryDelay?: string; timeoutMs?: number } = {}) {
  const config = configSchema.parse(
    parse(`${BASE_CONFIG}
[plugins.rabbitmq]
api_url = "${apiUrl}"
auth_username = "vigil"
auth_password = "s3cret"
virtualhost = "%2F"
queue_ready_healthy_below = 10
queue_nack_healthy_below = 5
queue_ready_dead_above = 20
queue_nack_dead_above = 8
${options.retryDelay ?? ''}

[probe]
[[probe.service]]
id = "svc"
label = "Service"
[[probe.service.node]]
id = "strict"
label = "Strict"
mode = "push"
rabbitmq_queue = "strict-q"
rabbitmq_queue_nack_healthy_below = 2
rabbitmq_queue_nack_dead_above = 3
[[probe.service.node]]
id = "global"
label = "Global"
mode = "push"
rabbitmq_queue = "global-q"
[[probe.service.node]]
id = "plain"
label = "Plain"
mode = "push"
[[probe.service.node]]
id = "polled"
label = "Polled"
mode = "poll"
replicas = ["tcp://127.0.0.1:1"]
rabbitmq_queue = "polled-q"
`),
  );
  const clock = new FakeClock();
  const model = new HealthModel(
    buildTopology(config),
    { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
    clock,
  );
  const observe = sourcesFor(model, clock);
  const rabbitmq = config.plugins?.rabbitmq as RabbitmqConfig;
  const checker = new RabbitmqQueueChecker({
    config: rabbitmq,
    model,
    clock,
    // Generous: a loaded CI machine must not turn a slow answer into a failure.
    timeoutMs: options.timeoutMs ?? 5000,
    pageUrl: config.branding.page_url,
    logger: pino({ level: 'silent' }),
  }).start();
  return { model, observe, clock, checker };
}

describe('RabbitMQ queue checker (loopback management API)', () => {
  const api = new FakeManagementApi();
  let apiUrl: string;
  let setup: ReturnType<typeof buildModel>;

  before(async () => {
    apiUrl = await api.start();
  });
  after(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
    api.answer = (_request, response) => counts(response, 0, 0);
    setup = buildModel(apiUrl);
  });
  afterEach(async () => {
    await setup.checker.stop();
    setup.model.stop();
  });

  const report = (nodeId: string, replicaId = 'r1') =>
    setup.observe.push('svc', nodeId, replicaId, 30, { cpu: 0.1, ram: 0.1 });
  const queueOf = (nodeId: string, replicaId = 'r1') =>
    setup.model.node('svc', nodeId)?.replicas.get(replicaId)?.queue;
  const healthOf = (nodeId: string) => setup.model.node('svc', nodeId)?.health;

  test('GETs the queue with Basic auth and Vigil User-Agent, after each accepted push report', async () => {
    report('global');
    await setup.checker.idle();
    assert.equal(api.requests.length, 1);
    const [seen] = api.requests;
    assert.equal(seen?.url, '/api/queues/%2F/global-q');
    assert.equal(seen?.headers.authorization, `Basic ${Buffer.from('vigil:s3cret').toString('base64')}`);
    assert.equal(seen?.headers['user-agent'], 'vigil (+https://status.example.com/)');
    assert.deepEqual(queueOf('global'), { loaded: false, stalled: false, ready: 0, nack: 0 });
  });

  test('the node nack overrides replace the global nack thresholds; ready ones stay global', async () => {
    api.answer = (_request, response) => counts(response, 0, 3);
    report('strict');
    report('global');
    await setup.checker.idle();
    assert.equal(healthOf('strict'), 'sick', 'nack 3 >= override 2, not > override 3');
    assert.equal(healthOf('global'), 'healthy', 'nack 3 < global 5');

    api.answer = (_request, response) => counts(response, 0, 4);
    report('strict');
    await setup.checker.idle();
    assert.equal(healthOf('strict'), 'dead', 'nack 4 > override 3');

    api.answer = (_request, response) => counts(response, 10, 0);
    report('strict');
    report('global');
    await setup.checker.idle();
    assert.equal(healthOf('strict'), 'sick');
    assert.equal(healthOf('global'), 'sick');
  });

  test('the verdict applies to every replica of the node', async () => {
    report('global', 'a');
    report('global', 'b');
    await setup.checker.idle();
    api.answer = (_request, response) => counts(response, 21, 0);
    report('global', 'a');
    await setup.checker.idle();
    assert.equal(queueOf('global', 'b')?.stalled, true);
    assert.deepEqual(
      Array.from(setup.model.node('svc', 'global')?.replicas.values() ?? [], (replica) => replica.health),
      ['dead', 'dead'],
    );
  });

  const failures: Array<[string, (response: ServerResponse) => void]> = [
    ['a non-200 status', (response) => response.writeHead(503).end()],
    ['a 3xx (redirects are not followed)', (response) => response.writeHead(301, { Location: '/x' }).end()],
    ['a body that is not JSON', (response) => response.writeHead(200).end('<html>')],
    ['a count that is missing', (response) => response.writeHead(200).end('{"messages_ready":1}')],
    [
      'a count that is not a u32',
      (response) => response.writeHead(200).end('{"messages_ready":-1,"messages_unacknowledged":0}'),
    ],
  ];
  for (const [what, answer] of failures) {
    test(`${what} clears both flags and leaves the counts unknown`, async () => {
      api.answer = (_request, response) => counts(response, 30, 30);
      report('global');
      await setup.checker.idle();
      assert.equal(healthOf('global'), 'dead');
      api.answer = (_request, response) => answer(response);
      report('global');
      await setup.checker.idle();
      assert.deepEqual(queueOf('global'), { loaded: false, stalled: false });
      assert.equal(healthOf('global'), 'healthy');
    });
  }

  test('no answer within poll_delay_dead is a failure too', async () => {
    await setup.checker.stop();
    setup = buildModel(apiUrl, { timeoutMs: 200 });
    api.answer = () => undefined;
    report('global');
    await setup.checker.idle();
    assert.equal(api.requests.length, 1);
    assert.deepEqual(queueOf('global'), { loaded: false, stalled: false });
  });

  test('an unreachable API is a failure too', async () => {
    await setup.checker.stop();
    setup = buildModel('http://127.0.0.1:1');
    report('global');
    await setup.checker.idle();
    assert.deepEqual(queueOf('global'), { loaded: false, stalled: false });
  });

  test('nodes without rabbitmq_queue, and non-push nodes, are never checked', async () => {
    report('plain');
    setup.checker.trigger('svc', 'polled');
    setup.observe.probe(
      { serviceId: 'svc', nodeId: 'polled', replicaId: 'tcp://127.0.0.1:1' },
      { health: 'healthy', latencyMs: 1 },
    );
    await setup.checker.idle();
    assert.equal(api.requests.length, 0);
  });

  test('at most one check per node in flight: a burst of reports costs one more check, not one each', async () => {
    const held: ServerResponse[] = [];
    api.answer = (_request, response) => held.push(response);
    for (let i = 0; i < 5; i++) report('global');
    await waitFor('the first request', () => api.requests.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(api.requests.length, 1, 'no second request while the first is in flight');
    api.answer = (_request, response) => counts(response, 12, 0);
    counts(held[0] as ServerResponse, 0, 0);
    await setup.checker.idle();
    assert.equal(api.requests.length, 2);
    assert.equal(
      queueOf('global')?.ready,
      12,
      'the verdict comes from the request made after the last report',
    );
  });

  test('stop() aborts a running check; nothing is applied afterwards', async () => {
    api.answer = () => undefined;
    report('global');
    await waitFor('the request', () => api.requests.length === 1);
    await setup.checker.stop();
    assert.equal(queueOf('global'), undefined);
  });
});

describe('queue_loaded_retry_delay', () => {
  const api = new FakeManagementApi();
  let setup: ReturnType<typeof buildModel>;

  before(async () => {
    setup = buildModel(await api.start(), { retryDelay: 'queue_loaded_retry_delay = 500' });
  });
  after(async () => {
    await setup.checker.stop();
    setup.model.stop();
    await api.close();
  });

  test('a loaded queue is asked again after the delay, and the second answer replaces the first', async () => {
    const { model, observe, clock, checker } = setup;
    const answers = [
      [10, 0],
      [2, 1],
    ];
    api.answer = (_request, response) => {
      const [ready = 0, nack = 0] = answers.shift() ?? [];
      counts(response, ready, nack);
    };
    observe.push('svc', 'global', 'r1', 30, { cpu: 0.1, ram: 0.1 });
    const timersBefore = clock.pendingTimers;
    await waitFor('the retry delay to start', () => clock.pendingTimers === timersBefore + 1);
    assert.equal(api.requests.length, 1);
    clock.advance(499);
    assert.equal(api.requests.length, 1);
    clock.advance(1);
    await checker.idle();
    assert.equal(api.requests.length, 2);
    assert.deepEqual(model.node('svc', 'global')?.replicas.get('r1')?.queue, {
      loaded: false,
      stalled: false,
      ready: 2,
      nack: 1,
    });
    assert.equal(model.node('svc', 'global')?.health, 'healthy');
  });

  test('a queue that is not loaded is asked once', async () => {
    api.requests.length = 0;
    api.answer = (_request, response) => counts(response, 9, 4);
    setup.observe.push('svc', 'global', 'r1', 30, { cpu: 0.1, ram: 0.1 });
    await setup.checker.idle();
    assert.equal(api.requests.length, 1);
  });
});
