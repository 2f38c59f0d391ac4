import { z } from 'zod';
import { defineChannel } from '../channel-definition.js';
import { alertTime, escalatedFor, KIND_NOTE, recoveredLine, testMarker } from '../format.js';
import type { Alert } from '../types.js';
import { absoluteUrl, acceptsAlert, normalizedUrl, notifierSchema } from './common.js';
import { postForm } from './http.js';

export const gotifyChannel = defineChannel({
  name: 'gotify',
  schema: notifierSchema({ app_url: absoluteUrl, app_token: z.string() }),
  create(config, { timeoutMs }) {
    // Concatenated as Vigil does: a root URL gains its `/`; a path without one breaks, in Vigil too.
    const url = `${normalizedUrl(config.app_url)}message?token=${config.app_token}`;
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        postForm(
          url,
          [
            ['title', alert.page.title],
            ['message', gotifyMessage(alert)],
            // Gotify has one target, index 0: in practice every reminder is escalated.
            ...(escalatedFor(alert, 0) ? [['priority', '10'] as [string, string]] : []),
          ],
          { signal, timeoutMs },
        ),
    };
  },
});

/** Vigil's plain-text message: the dead replicas one per line under `Nodes:`. */
function gotifyMessage(alert: Alert): string {
  const note = KIND_NOTE[alert.kind];
  const recovered = recoveredLine(alert);
  return (
    `${testMarker(alert)}${note ? `${note}\n\n` : ''}` +
    `Status: ${alert.status.toUpperCase()}\nNodes:\n${alert.replicas.join('\n')}\nTime: ${alertTime(alert)}` +
    (recovered ? `\n${recovered}` : '')
  );
}
