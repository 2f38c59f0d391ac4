import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import type { RunningVigil } from '../../src/main.js';
import { createVigilMetrics } from '../../src/metrics/index.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';
import { type Exposition, parseExposition, sampleValue } from '../helpers/prometheus.js';
import { basicAuth } from '../helpers/server.js';
import { postReport, pushReport, startFullVigil, waitFor } from '../helpers/vigil.js';

const PROBES = `
[probe]
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
[[probe.service.node]]
id = "jobs"
label = "Jobs"
mode = "script"
scripts = ["exit 0"]
[[probe.service]]
id = "edge"
label = "Edge"
[[probe.service.node]]
id = "gateway"
label = "Gateway"
mode = "local"
`;

const STATUS_VALUE: Record<string, number> = { healthy: 0, sick: 1, dead: 2 };

interface StatusReport {
  health: string;
  probes: Array<{
    name: string;
    status: string;
    nodes: Array<{ name: string; status: string; replicas: string[] }>;
  }>;
}

async function scrape(vigil: RunningVigil, headers: Record<string, string> = {}): Promise<Exposition> {
  const response = await fetch(`${vigil.url}/metrics`, { headers });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

describe('/metrics with [prometheus] enabled = true', () => {
  let vigil: RunningVigil;

  before(async () => {
    vigil = await startFullVigil(`\n[prometheus]\nenabled = true\n${PROBES}`);
    assert.equal(await pushReport(vigil, 'web/app', 'fine'), 200);
    assert.equal(await pushReport(vigil, 'web/app', 'busy', { cpu: 0.95, ram: 0.2 }), 200);
    assert.equal(
      await postReport(vigil, 'edge/gateway', { replica: 'lan', interval: 60, health: 'dead' }),
      200,
    );
    // The script prober's first round gives the script replica a latency.
    await waitFor(
      'the script check',
      () => vigil.model.node('web', 'jobs')?.replicas.get('0')?.latencyMs !== undefined,
    );
  });
  after(() => vigil.stop());

  test('status gauges agree with /status/report at every level (healthy 0, sick 1, dead 2)', async () => {
    const metrics = await scrape(vigil);
    const report = (await (await fetch(`${vigil.url}/status/report`)).json()) as StatusReport;
    assert.equal(report.health, 'dead');
    assert.equal(sampleValue(metrics, 'vigil_page_status'), STATUS_VALUE[report.health]);

    const services = Array.from(vigil.model.services.values());
    assert.equal(report.probes.length, services.length);
    report.probes.forEach((reported, serviceIndex) => {
      const service = services[serviceIndex]?.spec;
      assert.ok(service);
      assert.equal(
        sampleValue(metrics, 'vigil_service_status', { service: service.id }),
        STATUS_VALUE[reported.status],
      );
      reported.nodes.forEach((reportedNode, nodeIndex) => {
        const node = service.nodes[nodeIndex];
        assert.ok(node);
        const labels = { service: service.id, node: node.id };
        assert.equal(sampleValue(metrics, 'vigil_node_status', labels), STATUS_VALUE[reportedNode.status]);
        const replicaIds = Array.from(vigil.model.node(service.id, node.id)?.replicas.keys() ?? []);
        assert.deepEqual(
          replicaIds.map((replica) => sampleValue(metrics, 'vigil_replica_status', { ...labels, replica })),
          reportedNode.replicas.map((status) => STATUS_VALUE[status]),
        );
      });
    });
    assert.equal(sampleValue(metrics, 'vigil_replica_status', { node: 'app', replica: 'busy' }), 1);
    assert.equal(sampleValue(metrics, 'vigil_replica_status', { node: 'gateway', replica: 'lan' }), 2);
  });

  test('a flushed replica leaves the exposition', async () => {
    await pushReport(vigil, 'web/app', 'gone');
    assert.equal(sampleValue(await scrape(vigil), 'vigil_replica_status', { replica: 'gone' }), 0);
    const flushed = await fetch(`${vigil.url}/reporter/web/app/gone/`, {
      method: 'DELETE',
      headers: { Authorization: basicAuth('reporter-secret') },
    });
    assert.equal(flushed.status, 200);
    assert.equal(sampleValue(await scrape(vigil), 'vigil_replica_status', { replica: 'gone' }), undefined);
  });

  test('each check duration goes into a histogram per node', async () => {
    const metrics = await scrape(vigil);
    const jobs = { service: 'web', node: 'jobs' };
    assert.equal(metrics.types.get('vigil_probe_duration_seconds'), 'histogram');
    assert.equal(sampleValue(metrics, 'vigil_probe_duration_seconds_count', jobs), 1);
    const latencyMs = vigil.model.node('web', 'jobs')?.replicas.get('0')?.latencyMs ?? -1;
    assert.equal(sampleValue(metrics, 'vigil_probe_duration_seconds_sum', jobs), latencyMs / 1000);
    assert.equal(sampleValue(metrics, 'vigil_probe_duration_seconds_bucket', { ...jobs, le: '+Inf' }), 1);
    assert.equal(sampleValue(metrics, 'vigil_probe_duration_seconds_count', { node: 'app' }), undefined);
  });

  test('replica latency is the last check duration in seconds; push replicas have none', async () => {
    const metrics = await scrape(vigil);
    const latencyMs = vigil.model.node('web', 'jobs')?.replicas.get('0')?.latencyMs ?? -1;
    assert.equal(
      sampleValue(metrics, 'vigil_replica_latency_seconds', { node: 'jobs', replica: '0' }),
      latencyMs / 1000,
    );
    assert.equal(
      sampleValue(metrics, 'vigil_replica_latency_seconds', { node: 'app', replica: 'fine' }),
      undefined,
    );
  });

  test('reporter requests are counted by method and status code, auth failures included', async () => {
    const count = async (method: string, code: string) =>
      sampleValue(await scrape(vigil), 'vigil_reporter_requests_total', { method, code }) ?? 0;
    const ok = await count('POST', '200');
    const send = (path: string, authorization?: string, method = 'POST') =>
      fetch(`${vigil.url}${path}`, {
        method,
        headers: {
          ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
          ...(authorization ? { Authorization: authorization } : {}),
        },
        body:
          method === 'POST'
            ? JSON.stringify({ replica: 'x', interval: 30, load: { cpu: 0, ram: 0 } })
            : undefined,
      });
    assert.equal((await send('/reporter/web/app')).status, 401);
    assert.equal((await send('/reporter/web/app', basicAuth('wrong'))).status, 403);
    assert.equal((await send('/reporter/web/nope', basicAuth('reporter-secret'))).status, 404);
    assert.equal((await send('/reporter/web/app/', basicAuth('reporter-secret'))).status, 200);
    assert.equal((await send('/reporter/web/app/nope', basicAuth('reporter-secret'), 'DELETE')).status, 404);
    assert.equal(await count('POST', '200'), ok + 1);
    assert.equal(await count('POST', '401'), 1);
    assert.equal(await count('POST', '403'), 1);
    assert.equal(await count('POST', '404'), 1);
    assert.equal(await count('DELETE', '404'), 1);
    assert.equal((await send('/status/report', undefined, 'GET')).status, 200);
    const methods = (await scrape(vigil)).samples.filter(
      (sample) => sample.name === 'vigil_reporter_requests_total',
    );
    assert.ok(
      methods.every((sample) => sample.labels.method !== 'GET'),
      'other routes are not counted',
    );
  });

  test('event-loop lag and process metrics come with it, typed and documented', async () => {
    const metrics = await scrape(vigil);
    assert.equal(metrics.types.get('nodejs_eventloop_lag_seconds'), 'gauge');
    assert.ok((sampleValue(metrics, 'nodejs_eventloop_lag_seconds') ?? -1) >= 0);
    assert.equal(metrics.types.get('process_cpu_seconds_total'), 'counter');
    for (const name of [
      'vigil_page_status',
      'vigil_service_status',
      'vigil_node_status',
      'vigil_replica_status',
      'vigil_replica_latency_seconds',
      'vigil_probe_duration_seconds',
      'vigil_reporter_requests_total',
      'vigil_notification_attempts_total',
      'vigil_rabbitmq_queue_messages',
    ]) {
      assert.ok(metrics.help.get(name), `${name} has HELP`);
      assert.ok(metrics.types.get(name), `${name} has TYPE`);
    }
  });

  test('metrics live in a private registry, never in prom-client global one', async () => {
    assert.equal(
      (await globalRegistry.metrics()).includes('vigil_'),
      false,
      'several servers in one process must not share series',
    );
  });
});

describe('/metrics protected by [prometheus] token', () => {
  let vigil: RunningVigil;
  before(async () => {
    vigil = await startFullVigil(`\n[prometheus]\nenabled = true\ntoken = "scrape-secret"\n${PROBES}`);
  });
  after(() => vigil.stop());

  test('401 without credentials, 403 with a wrong token, 200 with the token as Basic password', async () => {
    const noAuth = await fetch(`${vigil.url}/metrics`);
    assert.equal(noAuth.status, 401);
    assert.match(noAuth.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    assert.equal(
      (await fetch(`${vigil.url}/metrics`, { headers: { Authorization: basicAuth('nope') } })).status,
      403,
    );
    const metrics = await scrape(vigil, { Authorization: basicAuth('scrape-secret', 'prometheus') });
    assert.equal(sampleValue(metrics, 'vigil_page_status'), 0);
  });
});

describe('/metrics is opt-in', () => {
  test('404 without a [prometheus] table', async () => {
    const vigil = await startFullVigil(PROBES);
    try {
      assert.equal((await fetch(`${vigil.url}/metrics`)).status, 404);
    } finally {
      await vigil.stop();
    }
  });
});

describe('metrics fed by other parts', () => {
  const config = testConfig(`
[[probe.service]]
id = "workers"
label = "Workers"
[[probe.service.node]]
id = "jobs"
label = "Jobs"
mode = "push"
rabbitmq_queue = "jobs"
`);
  const clock = new FakeClock();
  const model = new HealthModel(
    buildTopology(config),
    { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
    clock,
  );
  const observe = sourcesFor(model, clock);
  after(() => model.stop());

  test('the dispatcher counts each delivery attempt by channel, target and outcome', async () => {
    const metrics = createVigilMetrics(model);
    metrics.notifications.record('slack', 'slack', 'retrying');
    metrics.notifications.record('slack', 'slack', 'delivered');
    metrics.notifications.record('email', 'email', 'failed');
    metrics.notifications.record('slack', 'slack#ops', 'delivered');
    const exposition = parseExposition(await metrics.registry.metrics());
    const attempts = (labels: Record<string, string>) =>
      sampleValue(exposition, 'vigil_notification_attempts_total', labels);
    assert.equal(attempts({ channel: 'slack', outcome: 'retrying' }), 1);
    assert.equal(attempts({ channel: 'slack', target: 'slack', outcome: 'delivered' }), 1);
    assert.equal(attempts({ channel: 'email', outcome: 'failed' }), 1);
    assert.equal(attempts({ channel: 'slack', target: 'slack#ops', outcome: 'delivered' }), 1);
  });

  test('the RabbitMQ counts of a push node are exposed while known', async () => {
    const metrics = createVigilMetrics(model);
    observe.push('workers', 'jobs', 'w1', 30, { cpu: 0.1, ram: 0.1 });
    observe.queue('workers', 'jobs', { loaded: true, stalled: false, ready: 12, nack: 3 });
    let exposition = parseExposition(await metrics.registry.metrics());
    assert.equal(sampleValue(exposition, 'vigil_rabbitmq_queue_messages', { state: 'ready' }), 12);
    assert.equal(sampleValue(exposition, 'vigil_rabbitmq_queue_messages', { state: 'unacknowledged' }), 3);
    observe.queue('workers', 'jobs', { loaded: false, stalled: false });
    exposition = parseExposition(await metrics.registry.metrics());
    assert.equal(sampleValue(exposition, 'vigil_rabbitmq_queue_messages', { state: 'ready' }), undefined);
  });
});
