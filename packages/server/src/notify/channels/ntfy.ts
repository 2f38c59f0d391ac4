import { z } from 'zod';
import { basicAuthorization } from '../../http/basic-auth.js';
import type { Health } from '../../model/health.js';
import { defineChannel } from '../channel-definition.js';
import { escalatedFor, incidentDescription, testMarker } from '../format.js';
import type { Alert } from '../types.js';
import { acceptsAlert, httpUrl, notifierSchema, underBase } from './common.js';
import { postJson } from './http.js';

/** ntfy priorities: 1 min, 2 low, 3 default, 4 high, 5 max (urgent). */
const PRIORITY: Record<Health, number> = { healthy: 3, sick: 3, dead: 4 };
const STARTUP_PRIORITY = 2;
const ESCALATED_PRIORITY = 5;

/** Tags that ntfy shows as emoji, the same icons as Vigil's other channels. */
const STATUS_TAG: Record<Health, string> = { dead: 'x', sick: 'warning', healthy: 'white_check_mark' };

export const ntfyChannel = defineChannel({
  name: 'ntfy',
  schema: notifierSchema({
    /** The ntfy server; the default is the public one, tests point it at loopback. */
    server_url: httpUrl.default('https://ntfy.sh'),
    topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, {
      message: 'must be 1 to 64 letters, digits, "-" or "_", as ntfy topics are',
    }),
    /** An access token (`tk_…`), sent as a Bearer token. */
    token: z.string().min(1).optional(),
    /** A user and password for Basic auth, instead of a token. */
    username: z.string().min(1).optional(),
    password: z.string().optional(),
  })
    .refine((table) => table.token === undefined || table.username === undefined, {
      message: 'give either token or username and password, not both',
      path: ['token'],
    })
    .refine((table) => (table.username === undefined) === (table.password === undefined), {
      message: 'username and password go together',
      path: ['password'],
    }),
  create(config, { timeoutMs }) {
    // JSON publishing goes to the server root; it carries any title, where headers take Latin-1 only.
    const url = underBase(config.server_url, '');
    const headers = authorization(config);
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        postJson(url, ntfyMessage(alert, config.topic), {
          signal,
          timeoutMs,
          ...(headers && { headers }),
        }),
    };
  },
});

function authorization(config: {
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}): Record<string, string> | undefined {
  if (config.token !== undefined) return { authorization: `Bearer ${config.token}` };
  if (config.username !== undefined)
    return { authorization: basicAuthorization(config.username, config.password ?? '') };
  return undefined;
}

function ntfyMessage(alert: Alert, topic: string) {
  return {
    topic,
    title: `${testMarker(alert)}${alert.page.title}`,
    message: incidentDescription(alert),
    priority: priority(alert),
    tags: [STATUS_TAG[alert.status]],
    click: alert.page.url,
  };
}

function priority(alert: Alert): number {
  if (alert.kind === 'startup') return STARTUP_PRIORITY;
  // ntfy has one target, index 0: like Gotify, every reminder goes out at the top priority.
  if (escalatedFor(alert, 0)) return ESCALATED_PRIORITY;
  return PRIORITY[alert.status];
}
