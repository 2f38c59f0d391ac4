import { z } from 'zod';
import { defineChannel } from '../channel-definition.js';
import { REPORT_HEADLINE, recoveredLine, reportLines, testMarker } from '../format.js';
import type { Alert } from '../types.js';
import { absoluteUrl, acceptsAlert, notifierSchema } from './common.js';
import { postJson } from './http.js';

export const webexChannel = defineChannel({
  name: 'webex',
  schema: notifierSchema({ endpoint_url: absoluteUrl, token: z.string(), room_id: z.string() }),
  create(config, { timeoutMs }) {
    const headers = { authorization: `Bearer ${config.token}` };
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        postJson(
          config.endpoint_url,
          { roomId: config.room_id, text: webexText(alert) },
          { headers, signal, timeoutMs },
        ),
    };
  },
});

/** The email body's lines without its `--` rules and footer, as Vigil words it. */
function webexText(alert: Alert): string {
  const recovered = recoveredLine(alert);
  return [
    `${testMarker(alert)}${REPORT_HEADLINE[alert.kind]}: ${alert.page.title}`,
    ...reportLines(alert),
    ...(recovered ? [recovered] : []),
  ].join('\n');
}
