import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { teamsChannel } from '../../src/notify/channels/teams.js';
import {
  alert,
  DEAD,
  hookUrlContract,
  NODES,
  PAGE,
  RECOVERED,
  REMINDER,
  STARTUP,
  sendOne,
  TIME,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const HOOK_PATH = '/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=secret-signature';
const table = (baseUrl: string) => ({ hook_url: `${baseUrl}${HOOK_PATH}` });

/** The Adaptive Card inside the message envelope, after checking the envelope. */
function cardOf(body: string) {
  const message = JSON.parse(body);
  assert.equal(message.type, 'message');
  assert.equal(message.attachments.length, 1);
  const [attachment] = message.attachments;
  assert.equal(attachment.contentType, 'application/vnd.microsoft.card.adaptive');
  assert.equal(attachment.contentUrl, null);
  return attachment.content;
}

describe('teams: requests', () => {
  const capture = useCaptureServer();

  const card = async (alertToSend = DEAD) =>
    cardOf((await sendOne(capture, teamsChannel, table, alertToSend)).body);

  test('a change POSTs one Adaptive Card in a message: title, red headline, the facts, a link', async () => {
    const request = await sendOne(capture, teamsChannel, table, DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, HOOK_PATH, 'the signed query is sent as configured');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(cardOf(request.body), {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: 'Crisp Status', size: 'Medium', weight: 'Bolder', wrap: true },
        { type: 'TextBlock', text: 'Status changed to: **dead**.', color: 'Attention', wrap: true },
        {
          type: 'FactSet',
          facts: [
            { title: 'Nodes', value: NODES },
            { title: 'Status', value: 'Dead' },
            { title: 'Time', value: TIME },
            { title: 'Monitor Page', value: PAGE.url },
          ],
        },
      ],
      actions: [{ type: 'Action.OpenUrl', title: 'Open the status page', url: PAGE.url }],
    });
  });

  test('colour by status: Good on startup (no Nodes), Warning when sick; reminders say "is still"', async () => {
    const startup = await card(STARTUP);
    assert.deepEqual(startup.body[1], {
      type: 'TextBlock',
      text: 'Status started up, as: **healthy**.',
      color: 'Good',
      wrap: true,
    });
    assert.deepEqual(
      startup.body[2].facts.map((fact: { title: string }) => fact.title),
      ['Status', 'Time', 'Monitor Page'],
    );
    assert.equal((await card(alert({ status: 'sick' }))).body[1].color, 'Warning');
    assert.equal((await card(REMINDER)).body[1].text, 'Status is still: **dead**.');
  });

  test('a recovery lists what came back; a test alert is marked', async () => {
    assert.deepEqual((await card(RECOVERED)).body[2].facts[0], {
      title: 'Recovered',
      value: 'web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80, web:router:icmp://edge-2',
    });
    assert.equal(
      (await card(alert({ ...DEAD, test: true }))).body[1].text,
      '[TEST] Status changed to: **dead**.',
    );
  });
});

describe('teams: schema', () => {
  test('hook_url only; reminders_only defaults to false', () => {
    assert.deepEqual(teamsChannel.schema.parse({ hook_url: 'https://prod.example.logic.azure.com/x' }), {
      hook_url: 'https://prod.example.logic.azure.com/x',
      reminders_only: false,
    });
  });
});

hookUrlContract(teamsChannel);
transportContract(teamsChannel, table);
