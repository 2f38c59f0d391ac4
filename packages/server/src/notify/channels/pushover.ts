import { z } from 'zod';
import type { Health } from '../../model/health.js';
import { escapeHtml } from '../../web/html.js';
import { defineChannel } from '../channel-definition.js';
import { alertTime, escalatedFor, KIND_NOTE, nodesList, recoveredReplicas, testMarker } from '../format.js';
import type { Alert } from '../types.js';
import { absoluteUrl, acceptsAlert, notifierSchema, underBase } from './common.js';
import { postForm, sendToEach } from './http.js';

const COLOR: Record<Health, string> = { healthy: '#54A158', sick: '#D5A048', dead: '#C4291C' };

export const pushoverChannel = defineChannel({
  name: 'pushover',
  schema: notifierSchema({
    app_token: z.string(),
    user_keys: z.array(z.string()),
    /** Extension: the API base, so a test server or proxy can stand in for Pushover. */
    api_url: absoluteUrl.default('https://api.pushover.net'),
  }),
  create(config, { timeoutMs }) {
    const url = underBase(config.api_url, '1/messages.json');
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      async send(alert, signal) {
        const message = pushoverMessage(alert);
        const { title, url: pageUrl } = alert.page;
        await sendToEach(
          config.user_keys,
          // User keys are credentials of a sort: name them by position.
          (_key, index) => `user_keys[${index}]`,
          (key, index) =>
            postForm(
              url,
              [
                ['token', config.app_token],
                ['user', key],
                ['title', title],
                ['message', message],
                ['html', '1'],
                ['url_title', `Details on ${title}`],
                ['url', pageUrl],
                // Escalation raises priority for the first targets of a reminder.
                ...(escalatedFor(alert, index) ? [['priority', '1'] as [string, string]] : []),
              ],
              { signal, timeoutMs },
            ),
          signal,
        );
      },
    };
  },
});

/** Vigil's HTML message (Pushover renders a small HTML subset). */
function pushoverMessage(alert: Alert): string {
  const note = KIND_NOTE[alert.kind];
  let message =
    `${testMarker(alert)}${note ? `<b><i>${note}</i></b>\n\n` : ''}` +
    `<u>Status:</u> <b><font color="${COLOR[alert.status]}">${alert.status.toUpperCase()}</font></b>\n` +
    `<u>Nodes:</u> ${nodesList(alert)}\n` +
    `<u>Time:</u> ${alertTime(alert)}`;
  const recovered = recoveredReplicas(alert);
  if (recovered.length > 0) message += `\n<u>Recovered:</u> ${escapeHtml(recovered.join(', '))}`;
  return message;
}
