import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { opsgenieChannel } from '../../src/notify/channels/opsgenie.js';
import type { Alert } from '../../src/notify/types.js';
import {
  AT,
  alert,
  build,
  DEAD_DESCRIPTION,
  DEAD_REPLICAS,
  DEAD_WITH_REASON,
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

const table = (apiUrl: string) => ({ api_key: 'secret-genie-key', api_url: apiUrl });
const KEY = 'vigil-0123456789abcdef0123456789abcdef';
const OPEN = { key: KEY, sinceMs: AT - 60_000, resolved: false };
const [EDGE_1 = '', EDGE_3 = ''] = DEAD_REPLICAS;
const SUMMARY = `Crisp Status: Status changed to: dead. Nodes: ${NODES}.`;
const CREATE = alert({ ...DEAD_WITH_REASON, incident: OPEN });

describe('opsgenie: requests', () => {
  const capture = useCaptureServer();
  const sent = async (alertToSend: Alert) => {
    const request = await sendOne(capture, opsgenieChannel, table, alertToSend);
    assert.equal(request.method, 'POST');
    assert.equal(request.headers.authorization, 'GenieKey secret-genie-key');
    assert.equal(request.headers['content-type'], 'application/json');
    return request;
  };

  test('a dead alert creates an Opsgenie alert: P1, aliased by the incident, the replicas and their reasons', async () => {
    const request = await sent(CREATE);
    assert.equal(request.url, '/v2/alerts');
    assert.deepEqual(JSON.parse(request.body), {
      message: SUMMARY.slice(0, 130),
      alias: KEY,
      description: DEAD_DESCRIPTION,
      details: {
        Status: 'Dead',
        Time: TIME,
        Page: PAGE.url,
        [EDGE_1]: 'connection refused',
        [EDGE_3]: 'dead',
      },
      entity: 'Crisp Status',
      source: 'Vigil TS',
      priority: 'P1',
    });
    assert.ok(SUMMARY.length > 130, 'the message is cut to the API limit');
  });

  test('a reminder creates the same alias again (Opsgenie counts it on the open alert); sick is P3', async () => {
    const reminder = JSON.parse((await sent({ ...CREATE, kind: 'reminder' })).body);
    assert.equal(reminder.alias, KEY);
    assert.equal(reminder.priority, 'P1');
    const sick = ['web:api:http://api-1/health'];
    const body = JSON.parse((await sent(alert({ status: 'sick', sick, incident: OPEN }))).body);
    assert.equal(body.priority, 'P3');
    assert.equal(body.details[sick[0] ?? ''], 'sick');
    assert.match(body.description, /\nSick:\nweb:api:http:\/\/api-1\/health\n/);
  });

  test('the recovery closes the alert by its alias', async () => {
    const request = await sent({ ...RECOVERED, incident: { ...OPEN, resolved: true } });
    assert.equal(request.path, `/v2/alerts/${KEY}/close`);
    assert.equal(request.query.get('identifierType'), 'alias');
    assert.deepEqual(JSON.parse(request.body), {
      source: 'Vigil TS',
      note: 'Crisp Status: Status changed to: healthy.',
    });
  });

  test('a drill is P5, tagged test, aliased by its own id; an api_url path prefix is kept', async () => {
    const request = await sendOne(
      capture,
      opsgenieChannel,
      (url) => table(`${url}/eu`),
      alert({ id: 'drill-1', replicas: DEAD_REPLICAS, test: true }),
    );
    assert.equal(request.path, '/eu/v2/alerts');
    const body = JSON.parse(request.body);
    assert.equal(body.priority, 'P5');
    assert.deepEqual(body.tags, ['test']);
    assert.equal(body.alias, 'vigil-alert-drill-1');
    assert.match(body.message, /^\[TEST\] /);
  });

  test('it accepts only alerts of an incident', () => {
    const channel = build(opsgenieChannel, table('http://127.0.0.1:9'));
    assert.equal(channel.accepts(STARTUP), false);
    assert.equal(channel.accepts(CREATE), true);
  });
});

describe('opsgenie: schema', () => {
  test('api_key is required; api_url defaults to the public Alert API', () => {
    assert.deepEqual(opsgenieChannel.schema.parse({ api_key: 'k' }), {
      api_key: 'k',
      api_url: 'https://api.opsgenie.com',
    });
    assert.equal(opsgenieChannel.schema.safeParse({ api_key: '' }).success, false);
  });

  test('a config with a bad table is refused at load, naming the key', () => {
    assert.match(tableErrors('opsgenie', 'api_key = ""'), /notify\.opsgenie\.api_key/);
    assert.match(
      tableErrors('opsgenie', 'api_key = "k"\napi_url = "/v2"'),
      /notify\.opsgenie\.api_url.*absolute URL/,
    );
  });
});

transportContract(opsgenieChannel, table);
