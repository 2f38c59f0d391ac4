import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { googleChatChannel } from '../../src/notify/channels/google-chat.js';
import {
  alert,
  DEAD,
  hookUrlContract,
  NODES,
  RECOVERED,
  REMINDER,
  STARTUP,
  sendOne,
  TIME,
  transportContract,
  useCaptureServer,
} from './fixtures.js';

const HOOK_PATH = '/v1/spaces/AAAA/messages?key=secret-key&token=secret-token';
const table = (baseUrl: string) => ({ hook_url: `${baseUrl}${HOOK_PATH}` });

describe('google_chat: requests', () => {
  const capture = useCaptureServer();

  const text = async (alertToSend = DEAD) =>
    JSON.parse((await sendOne(capture, googleChatChannel, table, alertToSend)).body).text;

  test('a change POSTs {"text"} in Chat markup to the space webhook, key and token kept', async () => {
    const request = await sendOne(capture, googleChatChannel, table, DEAD);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, HOOK_PATH);
    assert.equal(request.headers['content-type'], 'application/json; charset=UTF-8');
    assert.deepEqual(JSON.parse(request.body), {
      text: [
        '\u274C Status changed to: *dead*.',
        `*Nodes:* ${NODES}`,
        '*Status:* Dead',
        `*Time:* ${TIME}`,
        '<https://status.crisp.chat/|Crisp Status>',
      ].join('\n'),
    });
  });

  test('startup has no Nodes line; sick and reminders are worded as Vigil words them', async () => {
    assert.equal(
      await text(STARTUP),
      `\u2705 Status started up, as: *healthy*.\n*Status:* Healthy\n*Time:* ${TIME}\n<https://status.crisp.chat/|Crisp Status>`,
    );
    assert.match(
      await text(alert({ status: 'sick', sick: ['web:api:tcp://10.0.0.1:80'] })),
      /^\u26A0 .*\n\*Sick:\* web:api:tcp:\/\/10\.0\.0\.1:80\n/,
    );
    assert.match(await text(REMINDER), /^\u274C Status is still: \*dead\*\./);
  });

  test('a recovery lists what came back; a test alert is marked', async () => {
    assert.match(
      await text(RECOVERED),
      /\n\*Recovered:\* web:load-balancer:tcp:\/\/edge-1\.pool\.net\.crisp\.chat:80, web:router:icmp:\/\/edge-2\n/,
    );
    assert.match(await text(alert({ ...DEAD, test: true })), /^\u274C \[TEST\] Status changed to/);
  });
});

describe('google_chat: schema', () => {
  test('hook_url only; reminders_only defaults to false', () => {
    const hook = 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t';
    assert.deepEqual(googleChatChannel.schema.parse({ hook_url: hook }), {
      hook_url: hook,
      reminders_only: false,
    });
  });
});

hookUrlContract(googleChatChannel);
transportContract(googleChatChannel, table);
