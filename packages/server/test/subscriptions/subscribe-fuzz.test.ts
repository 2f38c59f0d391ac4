import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { RunningVigil } from '../../src/main.js';
import { normalizeAddress } from '../../src/subscriptions/address.js';
import { startSmtp } from '../helpers/smtp.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';
import { startFullVigil, waitFor } from '../helpers/vigil.js';
import { subscriptionTables } from './tables.js';

/**
 * Random and hostile sign-up and link requests: none gets a 5xx, every refusal of a JSON request
 * is a JSON error, and every mail goes to exactly one address that a 202 accepted.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

type Smtp = Awaited<ReturnType<typeof startSmtp>>;
let smtp: Smtp;
let vigil: RunningVigil;

before(async () => {
  smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
  vigil = await startFullVigil(
    `${subscriptionTables(smtp.port, 'email = true\nclient_requests_per_hour = 1000')}\n[probe]\n${REPORTED_PROBES}`,
  );
});
after(async () => {
  await vigil.stop();
  await smtp.close();
});

const anyText = fc.string({ unit: 'binary', maxLength: 80 });
const addressLike = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(fc.emailAddress(), fc.constantFrom(', ', '\r\nBcc: ', ' <', '\u0000', ';'), fc.emailAddress())
    .map(([a, glue, b]) => `${a}${glue}${b}`),
  anyText,
);
const request = fc.oneof(
  fc.record({
    path: fc.constant('/subscribe'),
    contentType: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
    body: fc.oneof(
      addressLike.map((email) => ({ email })),
      fc.dictionary(anyText, fc.oneof(anyText, fc.integer(), fc.constant(null))),
    ),
  }),
  fc.record({
    path: fc.constantFrom('/subscribe/confirm', '/unsubscribe'),
    contentType: fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
    body: fc.record({ id: fc.oneof(fc.uuid(), anyText), token: anyText }, { requiredKeys: [] }),
  }),
);

test('sign-up and link routes: no 5xx, JSON errors for JSON requests, mails only to accepted addresses', async () => {
  const accepted = new Set<string>();
  let acceptedCount = 0;
  await fc.assert(
    fc.asyncProperty(request, fc.boolean(), async ({ path, contentType, body }, inQuery) => {
      const fields = body as Record<string, unknown>;
      const encoded =
        contentType === 'application/json'
          ? JSON.stringify(fields)
          : new URLSearchParams(
              Object.entries(fields).map(([key, value]): [string, string] => [key, String(value)]),
            ).toString();
      const query =
        inQuery && path !== '/subscribe' ? `?${new URLSearchParams(fields as Record<string, string>)}` : '';
      const response = await fetch(`${vigil.url}${path}${query}`, {
        method: 'POST',
        headers: { 'Content-Type': contentType },
        body: encoded,
      });
      const text = await response.text();
      assert.ok(response.status < 500, `${response.status} for ${path} ${encoded}: ${text}`);
      if (contentType === 'application/json' && response.status >= 400) {
        assert.equal(typeof (JSON.parse(text) as { error?: unknown }).error, 'string');
      }
      if (path === '/subscribe' && response.status === 202) {
        const address = normalizeAddress(String(fields.email));
        assert.ok(!(address instanceof Error), `202 for ${String(fields.email)}`);
        // Nobody confirms: every accepted sign-up is pending and mails its confirmation.
        acceptedCount++;
        accepted.add(address);
      }
    }),
    { numRuns: RUNS },
  );
  // Each accepted sign-up sent one confirmation mail, to its address; nothing else was sent.
  await waitFor('the confirmation mails', () => smtp.deliveries.length >= acceptedCount);
  for (const mail of smtp.deliveries) {
    assert.equal(mail.rcptTo.length, 1);
    assert.ok(accepted.has(mail.rcptTo[0] ?? ''), `mail to ${mail.rcptTo.join(', ')}`);
  }
  assert.equal(smtp.deliveries.length, acceptedCount);
  assert.ok(acceptedCount > 0, 'no generated address was accepted: the run proved nothing about mails');
});
