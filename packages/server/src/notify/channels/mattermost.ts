import { z } from 'zod';
import { defineChannel } from '../channel-definition.js';
import { alertFacts, STATUS_COLOR_HEX, statusHeadline } from '../format.js';
import type { Alert } from '../types.js';
import { acceptsAlert, httpUrl, notifierSchema } from './common.js';
import { postJson } from './http.js';

export const mattermostChannel = defineChannel({
  name: 'mattermost',
  schema: notifierSchema({
    hook_url: httpUrl,
    /** Overrides of the webhook's defaults; Mattermost honours them only when the admin allows it. */
    channel: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    icon_url: httpUrl.optional(),
    mention_channel: z.boolean().default(false),
  }),
  create(config, { timeoutMs }) {
    // Unset keys are undefined, which JSON leaves out: the webhook's defaults then apply.
    const overrides = { channel: config.channel, username: config.username, icon_url: config.icon_url };
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        postJson(config.hook_url, mattermostPayload(alert, config.mention_channel, overrides), {
          signal,
          timeoutMs,
        }),
    };
  },
});

/** The incoming-webhook body: Markdown `text` and one Slack-style attachment with the facts. */
function mattermostPayload(
  alert: Alert,
  mentionChannel: boolean,
  overrides: Record<string, string | undefined>,
) {
  const headline = statusHeadline(alert, (status) => `**${status}**`);
  return {
    text: mentionChannel ? `@channel ${headline}` : headline,
    ...overrides,
    attachments: [
      {
        fallback: headline,
        color: STATUS_COLOR_HEX[alert.status],
        title: alert.page.title,
        title_link: alert.page.url,
        fields: alertFacts(alert),
      },
    ],
  };
}
