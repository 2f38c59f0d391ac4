import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { telegramChannel } from '../../src/notify/channels/telegram.js';
import {
  alert,
  DEAD,
  RECOVERED,
  REMINDER,
  STARTUP,
  sampleTable,
  sendOne,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const table = (baseUrl: string, extra: object = {}) => ({
  bot_token: '123456:secret-token',
  chat_id: '987654321',
  api_url: baseUrl,
  ...extra,
});
const LINK = '\nLink: https://status.crisp.chat/';

describe('telegram: requests', () => {
  const capture = useCaptureServer();

  const sent = (alertToSend = DEAD, extra: object = {}) =>
    sendOne(capture, telegramChannel, (url) => table(url, extra), alertToSend);

  const text = async (alertToSend = DEAD) => JSON.parse((await sent(alertToSend)).body).text;

  test('a change POSTs sendMessage JSON: numeric chat id, markdown, no preview; replicas counted per node', async () => {
    const request = await sent(DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/bot123456:secret-token/sendMessage');
    assert.equal(request.headers['content-type'], 'application/json');
    const expected = {
      chat_id: 987654321,
      text: `\u274C Status changed to: *DEAD*.\n- \`web:load-balancer\`: 2 dead${LINK}`,
      parse_mode: 'markdown',
      disable_web_page_preview: true,
    };
    assert.deepEqual(JSON.parse(request.body), expected);
    assert.equal(request.body, JSON.stringify(expected));
  });

  test('startup has an empty node list, hence the blank line before the link', async () => {
    assert.equal(await text(STARTUP), `\u2705 Status started up, as: *HEALTHY*.\n${LINK}`);
  });

  test('reminder wording; nodes listed in first-seen order with their counts', async () => {
    assert.equal(
      await text(REMINDER),
      `\u274C Status is still: *DEAD*.\n- \`web:load-balancer\`: 2 dead${LINK}`,
    );
    const replicas = ['web:lb:tcp://a:80', 'api:gw:https://b/', 'web:lb:tcp://c:80'];
    assert.equal(
      await text(alert({ replicas })),
      `\u274C Status changed to: *DEAD*.\n- \`web:lb\`: 2 dead\n- \`api:gw\`: 1 dead${LINK}`,
    );
    assert.equal(await text(alert({ status: 'sick' })), `\u26A0 Status changed to: *SICK*.\n${LINK}`);
  });

  test('message_thread_id follows chat_id when set and is absent otherwise', async () => {
    const withThread = await sent(DEAD, { message_thread_id: 42 });
    assert.match(withThread.body, /^\{"chat_id":987654321,"message_thread_id":42,"text":/);
    assert.equal('message_thread_id' in JSON.parse((await sent(DEAD)).body), false);
  });

  test('chat_id is a number only when it parses as an unsigned 64-bit integer', async () => {
    const chatIdOf = async (chatId: string) =>
      (await sent(DEAD, { chat_id: chatId })).body.match(/^\{"chat_id":([^,]+),/)?.[1];
    assert.equal(await chatIdOf('@vigil_alerts'), '"@vigil_alerts"');
    assert.equal(await chatIdOf('-1001234567890'), '"-1001234567890"');
    assert.equal(await chatIdOf('+42'), '42');
    // Beyond 2^53 every digit is kept, as serde writes a u64.
    assert.equal(await chatIdOf('18446744073709551615'), '18446744073709551615');
    assert.equal(await chatIdOf('18446744073709551616'), '"18446744073709551616"');
  });

  test('a test alert is marked with an escaped bracket; a recovery lists what came back in code spans', async () => {
    assert.match(await text(alert({ ...DEAD, test: true })), /^\\\[TEST\] \u274C Status changed to/);
    assert.equal(
      await text(RECOVERED),
      '\u2705 Status changed to: *HEALTHY*.\n' +
        'Recovered: `web:load-balancer:tcp://edge-1.pool.net.crisp.chat:80`, `web:router:icmp://edge-2`' +
        LINK,
    );
  });
});

describe('telegram: schema', () => {
  test("a table with the keys of Vigil's sample parses, with the real Bot API as default base", () => {
    assert.deepEqual(telegramChannel.schema.parse(sampleTable('telegram')), {
      bot_token: '1000000001:fixture-telegram-token',
      chat_id: '-1000000000002',
      reminders_only: false,
      api_url: 'https://api.telegram.org',
    });
  });

  test('message_thread_id is an integer: a string is rejected, as in Vigil', () => {
    const base = sampleTable('telegram');
    assert.equal(telegramChannel.schema.parse({ ...base, message_thread_id: 7 }).message_thread_id, 7);
    assert.equal(telegramChannel.schema.safeParse({ ...base, message_thread_id: '7' }).success, false);
  });
});

transportContract(telegramChannel, (baseUrl) => table(baseUrl));
