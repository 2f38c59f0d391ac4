import { z } from 'zod';
import { defineChannel } from '../channel-definition.js';
import { channelOptionsShape } from '../channel-options.js';
import { alertTime, recoveredReplicas } from '../format.js';
import type { Alert } from '../types.js';
import { absoluteUrl } from './common.js';
import { postJson } from './http.js';

export const webhookChannel = defineChannel({
  name: 'webhook',
  // No `reminders_only` in Vigil: the webhook hears everything.
  schema: z.object({ hook_url: absoluteUrl, ...channelOptionsShape }),
  create(config, { timeoutMs }) {
    return {
      accepts: () => true,
      send: (alert, signal) => postJson(config.hook_url, webhookPayload(alert), { signal, timeoutMs }),
    };
  },
});

/**
 * Vigil's payload, keys in its order. Extensions, present only when they apply so Vigil's
 * payload is otherwise unchanged: `recovered` (replicas back up), `notice` (what a cluster alert
 * is about) and `test: true`.
 */
function webhookPayload(alert: Alert) {
  const recovered = recoveredReplicas(alert);
  return {
    type: alert.kind,
    status: alert.status,
    time: alertTime(alert),
    replicas: alert.replicas,
    page: { title: alert.page.title, url: alert.page.url },
    ...(recovered.length > 0 && { recovered }),
    ...(alert.notice !== undefined && { notice: alert.notice }),
    ...(alert.test && { test: true }),
  };
}
