import { z } from 'zod';
import { defineChannel } from '../channel-definition.js';
import { recoveredReplicas, replicaCountsByNode, STATUS_ICON, STATUS_PHRASE, testMarker } from '../format.js';
import type { Alert } from '../types.js';
import { absoluteUrl, acceptsAlert, notifierSchema, underBase } from './common.js';
import { post } from './http.js';

const U64_MAX = 2n ** 64n - 1n;

export const telegramChannel = defineChannel({
  name: 'telegram',
  schema: notifierSchema({
    bot_token: z.string(),
    chat_id: z.string(),
    /** An integer: Vigil's README says string, but a TOML string fails to parse there. */
    message_thread_id: z.number().int().optional(),
    /** Extension: the Bot API base, so a test server or proxy (or a local Bot API server) can stand in. */
    api_url: absoluteUrl.default('https://api.telegram.org'),
  }),
  create(config, { timeoutMs }) {
    const url = underBase(config.api_url, `bot${config.bot_token}/sendMessage`);
    const chatId = chatIdJson(config.chat_id);
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send(alert, signal) {
        const rest = {
          ...(config.message_thread_id !== undefined && { message_thread_id: config.message_thread_id }),
          text: telegramText(alert),
          parse_mode: 'markdown',
          disable_web_page_preview: true,
        };
        // Spliced by hand so a chat id beyond 2^53 keeps every digit, as serde writes a u64.
        const body = `{"chat_id":${chatId},${JSON.stringify(rest).slice(1)}`;
        return post(url, 'application/json', body, { signal, timeoutMs });
      },
    };
  },
});

/**
 * Vigil sends a chat id that Rust parses as a u64 (digits, optional `+`) as a JSON number, and
 * anything else (`@channel`, a negative group id) as a string.
 */
function chatIdJson(chatId: string): string {
  if (/^\+?\d+$/.test(chatId) && BigInt(chatId) <= U64_MAX) return BigInt(chatId).toString();
  return JSON.stringify(chatId);
}

/**
 * Vigil's legacy-Markdown text: one line per `service:node` with its count of replicas (Vigil's
 * code groups them, in hash order; ours is first-seen), then the page link.
 */
function telegramText(alert: Alert): string {
  // `[` opens a link in Telegram's legacy Markdown; escaped, the marker shows as typed.
  const marker = testMarker(alert).replace('[', '\\[');
  const head = `${marker}${STATUS_ICON[alert.status]} ${STATUS_PHRASE[alert.kind]}: *${alert.status.toUpperCase()}*.\n`;
  const lines = replicaCountsByNode(alert).map(
    ({ node, count }) => `- \`${node}\`: ${count} ${alert.status}`,
  );
  const recovered = recoveredReplicas(alert);
  // Code spans keep `_` and `*` in replica names from breaking the Markdown.
  if (recovered.length > 0)
    lines.push(`Recovered: ${recovered.map((replica) => `\`${replica}\``).join(', ')}`);
  return `${head}${lines.join('\n')}\nLink: ${alert.page.url}`;
}
