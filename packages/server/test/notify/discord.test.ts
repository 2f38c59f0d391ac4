import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { discordChannel } from '../../src/notify/channels/discord.js';
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
  tableErrors,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const HOOK_PATH = '/api/webhooks/123456/secret-token';
const table = (baseUrl: string, extra: object = {}) => ({ hook_url: `${baseUrl}${HOOK_PATH}`, ...extra });

const RED = 0xe01e5a;
const statusField = (value: string) => ({ name: 'Status', value, inline: true });
const timeField = { name: 'Time', value: TIME, inline: true };
const pageField = { name: 'Monitor Page', value: PAGE.url, inline: false };

describe('discord: requests', () => {
  const capture = useCaptureServer();

  const sent = async (alertToSend = DEAD, extra: object = {}) =>
    JSON.parse((await sendOne(capture, discordChannel, (url) => table(url, extra), alertToSend)).body);

  test('a change POSTs an execute-webhook body: content, one red embed with the dead replicas', async () => {
    const request = await sendOne(capture, discordChannel, table, DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, HOOK_PATH);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), {
      content: 'Status changed to: **dead**.',
      embeds: [
        {
          title: 'Crisp Status',
          url: PAGE.url,
          color: RED,
          fields: [{ name: 'Nodes', value: NODES, inline: false }, statusField('Dead'), timeField, pageField],
          timestamp: '2026-03-05T08:58:28.000Z',
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  test('colour by status: green on startup, amber when sick; reminders say "is still"', async () => {
    const startup = await sent(STARTUP);
    assert.equal(startup.content, 'Status started up, as: **healthy**.');
    assert.equal(startup.embeds[0].color, 0x2eb67d);
    assert.deepEqual(startup.embeds[0].fields, [statusField('Healthy'), timeField, pageField]);
    const sick = await sent(alert({ status: 'sick', sick: ['web:api:http://127.0.0.1/'] }));
    assert.equal(sick.embeds[0].color, 0xecb22e);
    assert.deepEqual(sick.embeds[0].fields[0], {
      name: 'Sick',
      value: 'web:api:http://127.0.0.1/',
      inline: false,
    });
    assert.equal((await sent(REMINDER)).content, 'Status is still: **dead**.');
  });

  test('a recovery lists what came back; a test alert is marked', async () => {
    const recovered = await sent(RECOVERED);
    assert.deepEqual(recovered.embeds[0].fields[0], {
      name: 'Recovered',
      value: 'web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80, web:router:icmp://edge-2',
      inline: false,
    });
    assert.equal((await sent(alert({ ...DEAD, test: true }))).content, '[TEST] Status changed to: **dead**.');
  });

  test('username and avatar_url override the webhook sender; absent, they are not sent', async () => {
    const payload = await sent(DEAD, { username: 'Vigil', avatar_url: 'https://status.example.com/a.png' });
    assert.equal(payload.username, 'Vigil');
    assert.equal(payload.avatar_url, 'https://status.example.com/a.png');
    const plain = await sent(DEAD);
    assert.equal('username' in plain || 'avatar_url' in plain, false);
  });

  test("values past Discord's limits are cut with an ellipsis instead of failing the message", async () => {
    const replicas = Array.from(
      { length: 60 },
      (_, index) => `web:api:tcp://replica-${index}.example.com:80`,
    );
    const payload = await sent(alert({ replicas, page: { ...PAGE, title: 'T'.repeat(300) } }));
    const nodes = payload.embeds[0].fields[0].value;
    assert.equal(nodes.length, 1024);
    assert.ok(nodes.endsWith('…'));
    assert.equal(payload.embeds[0].title.length, 256);
  });
});

describe('discord: schema', () => {
  test('hook_url only; reminders_only defaults to false', () => {
    assert.deepEqual(discordChannel.schema.parse({ hook_url: 'https://discord.com/api/webhooks/1/x' }), {
      hook_url: 'https://discord.com/api/webhooks/1/x',
      reminders_only: false,
    });
  });

  test('a relative avatar_url, a username over 80 characters or naming Discord is refused at load, naming the key', () => {
    const hook = 'hook_url = "https://example.com/x"';
    assert.match(tableErrors('discord', `${hook}\navatar_url = "avatar.png"`), /notify\.discord\.avatar_url/);
    assert.match(
      tableErrors('discord', `${hook}\nusername = "${'v'.repeat(81)}"`),
      /notify\.discord\.username/,
    );
  });
});

hookUrlContract(discordChannel);
transportContract(discordChannel, (baseUrl) => table(baseUrl));
