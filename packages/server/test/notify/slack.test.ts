import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { slackChannel } from '../../src/notify/channels/slack.js';
import {
  alert,
  DEAD,
  NODES,
  RECOVERED,
  REMINDER,
  STARTUP,
  sampleTable,
  sendOne,
  TIME,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const HOOK_PATH = '/services/T000/B000/secret-hook';
const table = (baseUrl: string, extra: object = {}) => ({ hook_url: `${baseUrl}${HOOK_PATH}`, ...extra });

const statusField = (value: string) => ({ title: 'Status', value, short: true });
const timeField = { title: 'Time', value: TIME, short: true };
const pageField = { title: 'Monitor Page', value: 'https://status.crisp.chat/', short: false };

describe('slack: requests', () => {
  const capture = useCaptureServer();

  const sent = (alertToSend = DEAD, extra: object = {}) =>
    sendOne(capture, slackChannel, (url) => table(url, extra), alertToSend);

  test('a change POSTs Vigil JSON to the hook URL, fields in order, danger colour', async () => {
    const request = await sent(DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, HOOK_PATH);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.authorization, undefined);
    const expected = {
      text: `Status changed to: *dead*. Nodes: *${NODES}*.`,
      attachments: [
        {
          fallback: `Status changed to: *dead*. Nodes: *${NODES}*.`,
          color: 'danger',
          fields: [{ title: 'Nodes', value: NODES, short: false }, statusField('Dead'), timeField, pageField],
        },
      ],
    };
    assert.deepEqual(JSON.parse(request.body), expected);
    // serde writes struct fields in declaration order: the raw bytes match too.
    assert.equal(request.body, JSON.stringify(expected));
  });

  test('startup: "started up", good colour and no Nodes field', async () => {
    assert.deepEqual(JSON.parse((await sent(STARTUP)).body), {
      text: 'Status started up, as: *healthy*.',
      attachments: [
        {
          fallback: 'Status started up, as: *healthy*.',
          color: 'good',
          fields: [statusField('Healthy'), timeField, pageField],
        },
      ],
    });
  });

  test('reminder: "is still"; sick is the warning colour', async () => {
    const reminder = JSON.parse((await sent(REMINDER)).body);
    assert.equal(reminder.text, `Status is still: *dead*. Nodes: *${NODES}*.`);
    const sick = JSON.parse((await sent(alert({ status: 'sick' }))).body);
    assert.equal(sick.attachments[0].color, 'warning');
    assert.deepEqual(sick.attachments[0].fields[0], statusField('Sick'));
  });

  test('mention_channel prefixes <!channel> to the text only, not the fallback', async () => {
    const payload = JSON.parse((await sent(DEAD, { mention_channel: true })).body);
    assert.equal(payload.text, `<!channel> Status changed to: *dead*. Nodes: *${NODES}*.`);
    assert.equal(payload.attachments[0].fallback, `Status changed to: *dead*. Nodes: *${NODES}*.`);
  });

  test('a test alert is marked after the mention; a recovery lists what came back', async () => {
    const marked = JSON.parse((await sent(alert({ ...DEAD, test: true }), { mention_channel: true })).body);
    assert.match(marked.text, /^<!channel> \[TEST\] Status changed to/);
    assert.match(marked.attachments[0].fallback, /^\[TEST\] Status changed to/);
    const recovered = JSON.parse((await sent(RECOVERED)).body);
    const list = 'web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80, web:router:icmp://edge-2';
    assert.equal(recovered.text, `Status changed to: *healthy*. Recovered: *${list}*.`);
    assert.deepEqual(recovered.attachments[0].fields[0], { title: 'Recovered', value: list, short: false });
  });
});

describe('slack: schema', () => {
  test("a table with the keys of Vigil's sample parses; mention_channel and reminders_only default to false", () => {
    assert.deepEqual(slackChannel.schema.parse(sampleTable('slack')), {
      hook_url: 'https://hooks.harbour.example/slack/fixture',
      mention_channel: true,
      reminders_only: false,
    });
    assert.equal(slackChannel.schema.parse({ hook_url: 'https://example.com/' }).mention_channel, false);
  });

  test('a relative hook URL is rejected', () => {
    assert.equal(slackChannel.schema.safeParse({ hook_url: '/services/xxxx' }).success, false);
  });
});

transportContract(slackChannel, (baseUrl) => table(baseUrl));
