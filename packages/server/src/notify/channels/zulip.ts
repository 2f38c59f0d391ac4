import { z } from 'zod';
import { basicAuthorization } from '../../http/basic-auth.js';
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
import { postForm } from './http.js';

/** Each starts with a space, hence Vigil's double space after the colon; kept byte for byte. */
const STATUS_FRAGMENT: Record<Health, string> = {
  dead: ' *dead* :boom:',
  healthy: ' *healthy* :check_mark:',
  sick: ' *sick* :sick:',
};

export const zulipChannel = defineChannel({
  name: 'zulip',
  schema: notifierSchema({
    bot_email: z.string(),
    bot_api_key: z.string(),
    channel: z.string(),
    api_url: absoluteUrl,
  }),
  create(config, { timeoutMs }) {
    // URL resolution as Vigil's `Url::join`: without a trailing `/` the last segment is replaced.
    const url = new URL('messages', config.api_url).href;
    const headers = { authorization: basicAuthorization(config.bot_email, config.bot_api_key) };
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        postForm(
          url,
          [
            ['type', 'stream'],
            ['to', config.channel],
            ['topic', 'Vigil status'],
            ['content', zulipContent(alert)],
          ],
          { headers, signal, timeoutMs },
        ),
    };
  },
});

function zulipContent(alert: Alert): string {
  let content = `${testMarker(alert)}${STATUS_PHRASE[alert.kind]}: ${STATUS_FRAGMENT[alert.status]}.`;
  if (alert.replicas.length > 0) content += `\n **Nodes**: *${nodesList(alert)}*.`;
  const recovered = recoveredReplicas(alert);
  if (recovered.length > 0) content += `\n **Recovered**: *${recovered.join(', ')}*.`;
  return (
    `${content}\n **Status**: ${capitalizedStatus(alert.status)}` +
    `\n **Time**: ${alertTime(alert)}\n **Page**: ${alert.page.url}`
  );
}
