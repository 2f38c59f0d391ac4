import type { Health } from '../../model/health.js';
import { defineChannel } from '../channel-definition.js';
import { alertFacts, statusHeadline } from '../format.js';
import type { Alert } from '../types.js';
import { acceptsAlert, httpUrl, notifierSchema } from './common.js';
import { postJson } from './http.js';

/** Adaptive Card text colours (the host theme picks the shade). */
const COLOR: Record<Health, string> = { healthy: 'Good', sick: 'Warning', dead: 'Attention' };

export const teamsChannel = defineChannel({
  name: 'teams',
  // A Teams Workflows ("Post to a channel when a webhook request is received") URL.
  schema: notifierSchema({ hook_url: httpUrl }),
  create(config, { timeoutMs }) {
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) => postJson(config.hook_url, teamsPayload(alert), { signal, timeoutMs }),
    };
  },
});

/**
 * A message with one Adaptive Card attachment, the only form Workflows accept (the connectors'
 * MessageCard is not). Version 1.4 is what every Teams client renders.
 */
function teamsPayload(alert: Alert) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: alert.page.title, size: 'Medium', weight: 'Bolder', wrap: true },
            {
              type: 'TextBlock',
              text: statusHeadline(alert, (status) => `**${status}**`),
              color: COLOR[alert.status],
              wrap: true,
            },
            {
              type: 'FactSet',
              facts: alertFacts(alert).map(({ title, value }) => ({ title, value })),
            },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open the status page', url: alert.page.url }],
        },
      },
    ],
  };
}
