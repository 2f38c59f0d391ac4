import { z } from 'zod';
import type { Health } from '../../model/health.js';
import { defineChannel } from '../channel-definition.js';
import { channelOptionsShape } from '../channel-options.js';
import {
  alertTime,
  capitalizedStatus,
  incidentDescription,
  incidentSummary,
  recoveredReplicas,
} from '../format.js';
import { incidentOf } from '../incident.js';
import type { Alert, AlertIncident } from '../types.js';
import { httpUrl, underBase } from './common.js';
import { postJson } from './http.js';

/** Alert API limits: `message` 130 characters, `description` 15,000. */
const MESSAGE_MAX_CHARS = 130;
const DESCRIPTION_MAX_CHARS = 15_000;

/** Healthy never creates an alert (it closes one); P5 is also what a drill gets. */
const PRIORITY: Record<Health, string> = { dead: 'P1', sick: 'P3', healthy: 'P5' };

/** Who Opsgenie shows as having created or closed the alert. */
const SOURCE = 'Vigil TS';

export const opsgenieChannel = defineChannel({
  name: 'opsgenie',
  // No `reminders_only`: an alert needs its creation and its close.
  schema: z.object({
    api_key: z.string().min(1),
    /** Where the Alert API lives (EU accounts: https://api.eu.opsgenie.com); tests point it at loopback. */
    api_url: httpUrl.default('https://api.opsgenie.com'),
    ...channelOptionsShape,
  }),
  create(config, { timeoutMs }) {
    const headers = { authorization: `GenieKey ${config.api_key}` };
    return {
      // Only alerts of an outage: a startup alert has no alert to create or close.
      accepts: (alert) => alert.incident !== undefined,
      send: async (alert, signal) => {
        const incident = incidentOf(alert);
        const [path, body] = incident.resolved
          ? [closePath(incident), { source: SOURCE, note: incidentSummary(alert) }]
          : ['v2/alerts', opsgenieAlert(alert, incident)];
        await postJson(underBase(config.api_url, path), body, { signal, timeoutMs, headers });
      },
    };
  },
});

function closePath(incident: AlertIncident): string {
  return `v2/alerts/${encodeURIComponent(incident.key)}/close?identifierType=alias`;
}

/** A creation for every alert of an open outage: Opsgenie counts repeats of an open alias on one alert. */
function opsgenieAlert(alert: Alert, incident: AlertIncident) {
  const recovered = recoveredReplicas(alert);
  return {
    message: incidentSummary(alert).slice(0, MESSAGE_MAX_CHARS),
    alias: incident.key,
    description: incidentDescription(alert).slice(0, DESCRIPTION_MAX_CHARS),
    // Details are a flat map of strings: one entry per replica, its reason as the value.
    details: {
      Status: capitalizedStatus(alert.status),
      Time: alertTime(alert),
      Page: alert.page.url,
      ...Object.fromEntries(replicaDetails(alert)),
      ...(recovered.length > 0 && { Recovered: recovered.join(', ') }),
    },
    entity: alert.page.title,
    source: SOURCE,
    priority: alert.test ? 'P5' : PRIORITY[alert.status],
    ...(alert.test && { tags: ['test'] }),
  };
}

/** Each dead and sick replica with why it failed, or its status where the model gave no reason. */
function replicaDetails(alert: Alert): Array<[string, string]> {
  const withStatus = (replicas: readonly string[], status: Health) =>
    replicas.map((replica): [string, string] => [replica, alert.reasons?.[replica] ?? status]);
  return [...withStatus(alert.replicas, 'dead'), ...withStatus(alert.sick ?? [], 'sick')];
}
