import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mattermostChannel } from '../../src/notify/channels/mattermost.js';
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

const HOOK_PATH = '/hooks/secret-generated-key';
const table = (baseUrl: string, extra: object = {}) => ({ hook_url: `${baseUrl}${HOOK_PATH}`, ...extra });

const statusField = (value: string) => ({ title: 'Status', value, short: true });
const timeField = { title: 'Time', value: TIME, short: true };
const pageField = { title: 'Monitor Page', value: PAGE.url, short: false };

describe('mattermost: requests', () => {
  const capture = useCaptureServer();

  const sent = async (alertToSend = DEAD, extra: object = {}) =>
    JSON.parse((await sendOne(capture, mattermostChannel, (url) => table(url, extra), alertToSend)).body);

  test('a change POSTs Markdown text and one coloured attachment with the facts', async () => {
    const request = await sendOne(capture, mattermostChannel, table, DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, HOOK_PATH);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), {
      text: 'Status changed to: **dead**.',
      attachments: [
        {
          fallback: 'Status changed to: **dead**.',
          color: '#E01E5A',
          title: 'Crisp Status',
          title_link: PAGE.url,
          fields: [{ title: 'Nodes', value: NODES, short: false }, statusField('Dead'), timeField, pageField],
        },
      ],
    });
  });

  test('colour by status: green on startup (no Nodes), amber when sick; reminders say "is still"', async () => {
    const startup = await sent(STARTUP);
    assert.equal(startup.text, 'Status started up, as: **healthy**.');
    assert.equal(startup.attachments[0].color, '#2EB67D');
    assert.deepEqual(startup.attachments[0].fields, [statusField('Healthy'), timeField, pageField]);
    assert.equal((await sent(alert({ status: 'sick' }))).attachments[0].color, '#ECB22E');
    assert.equal((await sent(REMINDER)).text, 'Status is still: **dead**.');
  });

  test('channel, username and icon_url are sent when set; mention_channel prefixes @channel to text only', async () => {
    const payload = await sent(DEAD, {
      channel: 'town-square',
      username: 'vigil',
      icon_url: 'https://status.example.com/icon.png',
      mention_channel: true,
    });
    assert.equal(payload.text, '@channel Status changed to: **dead**.');
    assert.equal(payload.attachments[0].fallback, 'Status changed to: **dead**.');
    assert.equal(payload.channel, 'town-square');
    assert.equal(payload.username, 'vigil');
    assert.equal(payload.icon_url, 'https://status.example.com/icon.png');
    const plain = await sent(DEAD);
    assert.deepEqual(Object.keys(plain), ['text', 'attachments']);
  });

  test('a recovery lists what came back; a test alert is marked after the mention', async () => {
    assert.deepEqual((await sent(RECOVERED)).attachments[0].fields[0], {
      title: 'Recovered',
      value: 'web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80, web:router:icmp://edge-2',
      short: false,
    });
    const marked = await sent(alert({ ...DEAD, test: true }), { mention_channel: true });
    assert.equal(marked.text, '@channel [TEST] Status changed to: **dead**.');
  });
});

describe('mattermost: schema', () => {
  test('optional keys stay absent; mention_channel and reminders_only default to false', () => {
    assert.deepEqual(mattermostChannel.schema.parse({ hook_url: 'https://chat.example.com/hooks/x' }), {
      hook_url: 'https://chat.example.com/hooks/x',
      mention_channel: false,
      reminders_only: false,
    });
  });

  test('a non-http icon_url or an empty channel is refused at load, naming the key', () => {
    const messages = (keys: string) => tableErrors('mattermost', keys);
    assert.match(
      messages('hook_url = "https://chat.example.com/hooks/x"\nicon_url = "file:///etc/passwd"'),
      /notify\.mattermost\.icon_url.*http:\/\/ or https:\/\//,
    );
    assert.match(
      messages('hook_url = "https://chat.example.com/hooks/x"\nchannel = ""'),
      /notify\.mattermost\.channel/,
    );
  });
});

hookUrlContract(mattermostChannel);
transportContract(mattermostChannel, (baseUrl) => table(baseUrl));
