import { z } from 'zod';
import type { Health } from '../../model/health.js';
import { defineChannel } from '../channel-definition.js';
import {
  alertTime,
  capitalizedStatus,
  nodesList,
  recoveredReplicas,
  STATUS_PHRASE,
  testMarker,
} from '../format.js';
import type { Alert } from '../types.js';
import { absoluteUrl, acceptsAlert, notifierSchema } from './common.js';
import { postJson } from './http.js';

const COLOR: Record<Health, string> = { healthy: 'good', sick: 'warning', dead: 'danger' };

interface SlackField {
  title: string;
  value: string;
  short: boolean;
}

export const slackChannel = defineChannel({
  name: 'slack',
  schema: notifierSchema({ hook_url: absoluteUrl, mention_channel: z.boolean().default(false) }),
  create(config, { timeoutMs }) {
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        postJson(config.hook_url, slackPayload(alert, config.mention_channel), { signal, timeoutMs }),
    };
  },
});

/** Vigil's incoming-webhook payload; Discord's `/slack` endpoint takes it too. */
function slackPayload(alert: Alert, mentionChannel: boolean) {
  let message = `${testMarker(alert)}${STATUS_PHRASE[alert.kind]}: *${alert.status}*.`;
  const fields: SlackField[] = [];
  if (alert.replicas.length > 0) {
    const nodes = nodesList(alert);
    message += ` Nodes: *${nodes}*.`;
    fields.push({ title: 'Nodes', value: nodes, short: false });
  }
  const recovered = recoveredReplicas(alert).join(', ');
  if (recovered) {
    message += ` Recovered: *${recovered}*.`;
    fields.push({ title: 'Recovered', value: recovered, short: false });
  }
  fields.push(
    { title: 'Status', value: capitalizedStatus(alert.status), short: true },
    { title: 'Time', value: alertTime(alert), short: true },
    { title: 'Monitor Page', value: alert.page.url, short: false },
  );
  return {
    // The mention goes in `text` only: a fallback is what notifications preview.
    text: mentionChannel ? `<!channel> ${message}` : message,
    attachments: [{ fallback: message, color: COLOR[alert.status], fields }],
  };
}
