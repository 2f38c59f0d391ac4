import { z } from 'zod';
import { escapeHtml } from '../../web/html.js';
import { defineChannel } from '../channel-definition.js';
import {
  alertTime,
  recoveredReplicas,
  replicaCountsByNode,
  STATUS_ICON,
  STATUS_PHRASE,
  testMarker,
} from '../format.js';
import type { Alert } from '../types.js';
import { absoluteUrl, acceptsAlert, normalizedUrl, notifierSchema } from './common.js';
import { postJson } from './http.js';

export const matrixChannel = defineChannel({
  name: 'matrix',
  schema: notifierSchema({ homeserver_url: absoluteUrl, access_token: z.string(), room_id: z.string() }),
  create(config, { timeoutMs }) {
    const homeserver = normalizedUrl(config.homeserver_url);
    const base = homeserver.endsWith('/') ? homeserver : `${homeserver}/`;
    // Vigil's legacy r0 POST (no transaction id), room id and token inserted raw.
    const url = `${base}_matrix/client/r0/rooms/${config.room_id}/send/m.room.message?access_token=${config.access_token}`;
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      send: (alert, signal) =>
        postJson(
          url,
          {
            body: `${testMarker(alert)}You received a Vigil alert.`,
            msgtype: 'm.text',
            format: 'org.matrix.custom.html',
            formatted_body: matrixHtml(alert),
          },
          { signal, timeoutMs },
        ),
    };
  },
});

/** Vigil's HTML: status, dead replicas counted per `service:node` (first-seen order), page, time. */
function matrixHtml(alert: Alert): string {
  let html = `<p>${testMarker(alert)}${STATUS_ICON[alert.status]} ${STATUS_PHRASE[alert.kind]}: <em>${alert.status.toUpperCase()}</em>.</p>`;
  const groups = replicaCountsByNode(alert);
  if (groups.length > 0) {
    // Vigil inserts names unescaped; kept so, for identical messages.
    html += `<ul>${groups.map(({ node, count }) => `<li><code>${node}</code>: ${count} ${alert.status}</li>`).join('')}</ul>`;
  }
  const recovered = recoveredReplicas(alert);
  if (recovered.length > 0) {
    html += `<p>Recovered: ${recovered.map((replica) => `<code>${escapeHtml(replica)}</code>`).join(', ')}</p>`;
  }
  return `${html}<p>Status page: ${alert.page.url}</p><p>Time: ${alertTime(alert)}</p>`;
}
