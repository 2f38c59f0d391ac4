import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pagerdutyChannel } from '../../src/notify/channels/pagerduty.js';
import type { Alert } from '../../src/notify/types.js';
import {
  AT,
  alert,
  build,
  DEAD_REPLICAS,
  NODES,
  PAGE,
  RECOVERED,
  STARTUP,
  sendOne,
  TIME,
  tableErrors,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const table = (apiUrl: string) => ({ routing_key: 'secret-routing-key', api_url: apiUrl });
const KEY = 'vigil-0123456789abcdef0123456789abcdef';
const OPEN = { key: KEY, sinceMs: AT - 60_000, resolved: false };
const REASONS = {
  [DEAD_REPLICAS[0] ?? '']: 'connection refused',
  [DEAD_REPLICAS[1] ?? '']: 'no answer within 5000 ms',
};
const TRIGGER = alert({ replicas: DEAD_REPLICAS, reasons: REASONS, incident: OPEN });

describe('pagerduty: requests', () => {
  const capture = useCaptureServer();
  const sent = async (alertToSend: Alert) => {
    const request = await sendOne(capture, pagerdutyChannel, table, alertToSend);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v2/enqueue');
    assert.equal(request.headers['content-type'], 'application/json');
    return JSON.parse(request.body);
  };

  test('a dead alert triggers the incident with severity critical, the replicas and their reasons', async () => {
    assert.deepEqual(await sent(TRIGGER), {
      routing_key: 'secret-routing-key',
      dedup_key: KEY,
      event_action: 'trigger',
      payload: {
        summary: `Crisp Status: Status changed to: dead. Nodes: ${NODES}.`,
        source: 'status.crisp.chat',
        severity: 'critical',
        timestamp: '2026-03-05T08:58:28.000Z',
        custom_details: {
          status: 'Dead',
          kind: 'changed',
          dead: DEAD_REPLICAS,
          reasons: REASONS,
          time: TIME,
        },
      },
      client: 'Crisp Status',
      client_url: PAGE.url,
    });
  });

  test('a reminder triggers the same dedup_key again, so PagerDuty folds it into the open incident', async () => {
    const body = await sent(alert({ kind: 'reminder', replicas: DEAD_REPLICAS, incident: OPEN }));
    assert.equal(body.event_action, 'trigger');
    assert.equal(body.dedup_key, KEY);
    assert.match(body.payload.summary, /^Crisp Status: Status is still: dead\. /);
  });

  test('sick is a warning and lists the sick replicas', async () => {
    const sick = ['web:api:http://api-1/health'];
    const body = await sent(
      alert({ status: 'sick', sick, reasons: { [sick[0] ?? '']: 'HTTP 503' }, incident: OPEN }),
    );
    assert.equal(body.payload.severity, 'warning');
    assert.deepEqual(body.payload.custom_details.sick, sick);
    assert.deepEqual(body.payload.custom_details.reasons, { [sick[0] ?? '']: 'HTTP 503' });
  });

  test('the recovery resolves the incident by its dedup_key, with nothing else', async () => {
    assert.deepEqual(await sent({ ...RECOVERED, incident: { ...OPEN, resolved: true } }), {
      routing_key: 'secret-routing-key',
      dedup_key: KEY,
      event_action: 'resolve',
    });
  });

  test('a drill is info severity and says it is a test; source can be configured', async () => {
    const server = capture.server();
    const channel = build(pagerdutyChannel, { ...table(server.url), source: 'vigil.internal' });
    await channel.send(alert({ ...TRIGGER, test: true }), new AbortController().signal);
    const body = JSON.parse(server.requests[0]?.body ?? '{}');
    assert.equal(body.payload.severity, 'info');
    assert.equal(body.payload.source, 'vigil.internal');
    assert.equal(body.payload.custom_details.test, true);
    assert.match(body.payload.summary, /^\[TEST\] Crisp Status: /);
  });

  test('an alert outside any incident (a drill) triggers one keyed by its own id', async () => {
    const body = await sent(alert({ id: 'drill-1', replicas: DEAD_REPLICAS, test: true }));
    assert.equal(body.event_action, 'trigger');
    assert.equal(body.dedup_key, 'vigil-alert-drill-1');
  });

  test('an api_url with a path prefix keeps it', async () => {
    const request = await sendOne(capture, pagerdutyChannel, (url) => table(`${url}/proxy/`), TRIGGER);
    assert.equal(request.path, '/proxy/v2/enqueue');
  });

  test('it accepts only alerts of an incident: no startup alert, nothing outside an outage', () => {
    const channel = build(pagerdutyChannel, table('http://127.0.0.1:9'));
    assert.equal(channel.accepts(STARTUP), false);
    assert.equal(channel.accepts(alert({ status: 'healthy' })), false);
    assert.equal(channel.accepts(TRIGGER), true);
    assert.equal(channel.accepts({ ...TRIGGER, kind: 'reminder' }), true);
  });
});

describe('pagerduty: schema', () => {
  test('routing_key is required; api_url defaults to the public Events API and must be a URL', () => {
    assert.deepEqual(pagerdutyChannel.schema.parse({ routing_key: 'k' }), {
      routing_key: 'k',
      api_url: 'https://events.pagerduty.com',
    });
    assert.equal(pagerdutyChannel.schema.safeParse({}).success, false);
    assert.equal(pagerdutyChannel.schema.safeParse({ routing_key: 'k', api_url: 'events' }).success, false);
  });

  test('a config with a bad table is refused at load, naming the key', () => {
    assert.match(tableErrors('pagerduty', ''), /notify\.pagerduty\.routing_key/);
    assert.match(
      tableErrors('pagerduty', 'routing_key = "k"\napi_url = "ftp://events.example"'),
      /notify\.pagerduty\.api_url.*http:\/\/ or https:\/\//,
    );
  });
});

transportContract(pagerdutyChannel, table);
