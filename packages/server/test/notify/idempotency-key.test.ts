import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { transitionAlertId } from '../../src/notify/alert-id.js';
import { webhookChannel } from '../../src/notify/channels/webhook.js';
import { attemptSend } from '../../src/notify/delivery.js';
import { systemClock } from '../../src/time/clock.js';
import { alert, build, running, useCaptureServer } from './fixtures.js';

describe('Idempotency-Key', () => {
  const capture = useCaptureServer();

  test('each attempt at an alert carries its id; a send outside an attempt carries none', async () => {
    const server = capture.server();
    const channel = build(webhookChannel, { hook_url: `${server.url}/hook` });
    const sent = alert({ id: 'vigil-0123456789abcdef0123456789abcdef' });
    await attemptSend(channel, sent, { clock: systemClock, timeoutMs: 5000 });
    await attemptSend(channel, sent, { clock: systemClock, timeoutMs: 5000 });
    await channel.send(sent, running);
    assert.deepEqual(
      server.requests.map((request) => request.headers['idempotency-key']),
      [sent.id, sent.id, undefined],
    );
  });
});

describe('transition alert ids', () => {
  const transition = {
    pageUrl: 'https://status.example.com/',
    subject: 'page',
    kind: 'changed',
    from: 'healthy',
    to: 'dead',
    sinceMs: 1000,
  } as const;

  test('the same transition gives the same id, whoever decides it', () => {
    assert.equal(transitionAlertId(transition), transitionAlertId({ ...transition }));
    assert.match(transitionAlertId(transition), /^vigil-[0-9a-f]{32}$/);
  });

  test('any other subject, states, kind or told time gives another', () => {
    const ids = new Set([
      transitionAlertId(transition),
      transitionAlertId({ ...transition, subject: 'scope' }),
      transitionAlertId({ ...transition, from: 'sick' }),
      transitionAlertId({ ...transition, to: 'sick' }),
      transitionAlertId({ ...transition, kind: 'reminder' }),
      transitionAlertId({ ...transition, sinceMs: 1001 }),
      transitionAlertId({ ...transition, pageUrl: 'https://other.example.com/' }),
    ]);
    assert.equal(ids.size, 7);
  });
});
