import { z } from 'zod';
import type { Health } from '../../model/health.js';
import { defineChannel } from '../channel-definition.js';
import { channelOptionsShape } from '../channel-options.js';
import { alertTime, capitalizedStatus, incidentSummary, recoveredReplicas } from '../format.js';
import { incidentOf } from '../incident.js';
import type { Alert, AlertIncident } from '../types.js';
import { httpUrl, underBase } from './common.js';
import { postJson } from './http.js';

/** Events API v2 limits `payload.summary` to 1024 characters. */
const SUMMARY_MAX_CHARS = 1024;

/** Healthy never triggers (it resolves); it maps to info for completeness, as a drill does. */
const SEVERITY: Record<Health, string> = { dead: 'critical', sick: 'warning', healthy: 'info' };

export const pagerdutyChannel = defineChannel({
  name: 'pagerduty',
  // No `reminders_only`: an incident needs its trigger and its resolve.
  schema: z.object({
    routing_key: z.string().min(1),
    /** Where the Events API lives; the default is PagerDuty's, tests point it at loopback. */
    api_url: httpUrl.default('https://events.pagerduty.com'),
    /** `payload.source`; by default the host of the page URL. */
    source: z.string().min(1).optional(),
    ...channelOptionsShape,
  }),
  create(config, { timeoutMs }) {
    const url = underBase(config.api_url, 'v2/enqueue');
    return {
      // Only alerts of an outage: a startup alert has no incident to open or close.
      accepts: (alert) => alert.incident !== undefined,
      send: (alert, signal) =>
        postJson(url, pagerdutyEvent(alert, incidentOf(alert), config.routing_key, config.source), {
          signal,
          timeoutMs,
        }),
    };
  },
});

/** A trigger for every alert of an open outage (PagerDuty folds repeats into one alert), a resolve to end it. */
function pagerdutyEvent(alert: Alert, incident: AlertIncident, routingKey: string, source?: string) {
  const event = { routing_key: routingKey, dedup_key: incident.key };
  if (incident.resolved) return { ...event, event_action: 'resolve' };
  const recovered = recoveredReplicas(alert);
  return {
    ...event,
    event_action: 'trigger',
    payload: {
      summary: incidentSummary(alert).slice(0, SUMMARY_MAX_CHARS),
      source: source ?? new URL(alert.page.url).host,
      // A drill should reach the service without paging anyone at high urgency.
      severity: alert.test ? 'info' : SEVERITY[alert.status],
      timestamp: new Date(alert.atMs).toISOString(),
      custom_details: {
        status: capitalizedStatus(alert.status),
        kind: alert.kind,
        dead: alert.replicas,
        ...(alert.sick && alert.sick.length > 0 && { sick: alert.sick }),
        ...(recovered.length > 0 && { recovered }),
        ...(alert.reasons && { reasons: alert.reasons }),
        time: alertTime(alert),
        ...(alert.test && { test: true }),
      },
    },
    client: alert.page.title,
    client_url: alert.page.url,
  };
}
