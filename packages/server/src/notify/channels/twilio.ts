import { z } from 'zod';
import { basicAuthorization } from '../../http/basic-auth.js';
import { defineChannel } from '../channel-definition.js';
import { recoveredLine, shortText, testMarker } from '../format.js';
import type { Alert } from '../types.js';
import { absoluteUrl, acceptsAlert, notifierSchema, underBase } from './common.js';
import { postForm, sendToEach } from './http.js';

/** Vigil cuts an SMS body over this many bytes… */
const MAX_BODY_BYTES = 1000;
/** …to this many bytes, then appends the ellipsis. */
const TRUNCATED_BYTES = 996;
const ELLIPSIS = '[..]';

export const twilioChannel = defineChannel({
  name: 'twilio',
  schema: notifierSchema({
    to: z.array(z.string()),
    service_sid: z.string(),
    account_sid: z.string(),
    auth_token: z.string(),
    /** Extension: the API base, so a test server or proxy can stand in for Twilio. */
    api_url: absoluteUrl.default('https://api.twilio.com'),
  }),
  create(config, { timeoutMs }) {
    const url = underBase(config.api_url, `2010-04-01/Accounts/${config.account_sid}/Messages.json`);
    const headers = { authorization: basicAuthorization(config.account_sid, config.auth_token) };
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      async send(alert, signal) {
        const body = smsText(alert);
        await sendToEach(
          config.to,
          (number) => `to ${number}`,
          (number) =>
            postForm(
              url,
              [
                ['MessagingServiceSid', config.service_sid],
                ['To', number],
                ['Body', body],
              ],
              { headers, signal, timeoutMs },
            ),
          signal,
        );
      },
    };
  },
});

/** Vigil's SMS text, with our test marker and recovered line, cut to fit. */
function smsText(alert: Alert): string {
  const recovered = recoveredLine(alert);
  return truncateUtf8(`${testMarker(alert)}${shortText(alert)}${recovered ? `${recovered}\n` : ''}`);
}

/**
 * Vigil's cut (over 1000 bytes → 996 bytes + "[..]"), except that it backs off to a character
 * boundary: Rust's byte cut panics inside a multi-byte character (spec §12.17).
 */
export function truncateUtf8(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_BODY_BYTES) return text;
  let end = TRUNCATED_BYTES;
  // A continuation byte (10xxxxxx) at the cut means a character would be split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + ELLIPSIS;
}
