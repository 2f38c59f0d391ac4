import { defineChannel } from '../channel-definition.js';
import { alertFacts, STATUS_ICON, statusHeadline } from '../format.js';
import type { Alert } from '../types.js';
import { acceptsAlert, httpUrl, notifierSchema } from './common.js';
import { post } from './http.js';

export const googleChatChannel = defineChannel({
  name: 'google_chat',
  // The space's incoming webhook URL; its `key` and `token` query parameters are the credentials.
  schema: notifierSchema({ hook_url: httpUrl }),
  create(config, { timeoutMs }) {
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        // The content type Google's webhook guide sends.
        post(config.hook_url, 'application/json; charset=UTF-8', JSON.stringify({ text: chatText(alert) }), {
          signal,
          timeoutMs,
        }),
    };
  },
});

/** A text message in Chat's markup: `*bold*`, and `<url|label>` for the page link. */
function chatText(alert: Alert): string {
  const facts = alertFacts(alert)
    .filter(({ title }) => title !== 'Monitor Page')
    .map(({ title, value }) => `*${title}:* ${value}`);
  return [
    `${STATUS_ICON[alert.status]} ${statusHeadline(alert, (status) => `*${status}*`)}`,
    ...facts,
    `<${alert.page.url}|${alert.page.title}>`,
  ].join('\n');
}
