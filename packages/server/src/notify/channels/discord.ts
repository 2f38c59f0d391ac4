import { z } from 'zod';
import { defineChannel } from '../channel-definition.js';
import { alertFacts, STATUS_COLOR_HEX, statusHeadline } from '../format.js';
import type { Alert } from '../types.js';
import { acceptsAlert, httpUrl, notifierSchema } from './common.js';
import { postJson } from './http.js';

/** Discord's documented embed limits; a longer value makes the whole message fail with 400. */
const TITLE_MAX_CHARS = 256;
const FIELD_VALUE_MAX_CHARS = 1024;

export const discordChannel = defineChannel({
  name: 'discord',
  schema: notifierSchema({
    hook_url: httpUrl,
    /** Overrides the webhook's own name and avatar in Discord. */
    username: z
      .string()
      .min(1)
      .max(80)
      .refine((name) => !/discord|clyde/i.test(name), {
        message: 'must not contain "discord" or "clyde", which Discord refuses in webhook names',
      })
      .optional(),
    avatar_url: httpUrl.optional(),
  }),
  create(config, { timeoutMs }) {
    // Unset keys are undefined, which JSON leaves out: Discord then uses the webhook's own.
    const sender = { username: config.username, avatar_url: config.avatar_url };
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        postJson(config.hook_url, discordPayload(alert, sender), { signal, timeoutMs }),
    };
  },
});

/** Discord's execute-webhook body: the headline as `content`, the facts as one embed coloured by status. */
function discordPayload(alert: Alert, sender: { username?: string; avatar_url?: string }) {
  return {
    // A few dozen characters, well inside the 2000 allowed.
    content: statusHeadline(alert, (status) => `**${status}**`),
    ...sender,
    embeds: [
      {
        title: clipped(alert.page.title, TITLE_MAX_CHARS),
        url: alert.page.url,
        color: Number.parseInt(STATUS_COLOR_HEX[alert.status].slice(1), 16),
        fields: alertFacts(alert).map(({ title, value, short }) => ({
          name: title,
          value: clipped(value, FIELD_VALUE_MAX_CHARS),
          inline: short,
        })),
        timestamp: new Date(alert.atMs).toISOString(),
      },
    ],
    // Page titles and replica names are the operator's text: they never ping @everyone or a role.
    allowed_mentions: { parse: [] },
  };
}

function clipped(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
