import type { Health } from '../model/health.js';
import { formatClockTime } from '../time/format.js';
import type { Alert, AlertKind } from './types.js';

/** Vigil's message vocabulary (spec §6.1–§6.2), shared so every channel words things the same way. */

export const STATUS_ICON: Record<Health, string> = { dead: '\u274C', sick: '\u26A0', healthy: '\u2705' };

/** `Healthy` / `Sick` / `Dead`, as Vigil prints `<Status>`. */
export function capitalizedStatus(status: Health): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}

/** Vigil's NODES: the dead replica paths joined with ", ". */
export function nodesList(alert: Alert): string {
  return alert.replicas.join(', ');
}

/** Vigil's TIME: `HH:MM:SS UTC+00:00`. */
export function alertTime(alert: Alert): string {
  return formatClockTime(alert.atMs);
}

/** Opening phrase of chat messages: "Status changed to: *dead*." */
export const STATUS_PHRASE: Record<AlertKind, string> = {
  startup: 'Status started up, as',
  changed: 'Status changed to',
  reminder: 'Status is still',
};

/** First line of report-style messages (email, Webex). */
export const REPORT_HEADLINE: Record<AlertKind, string> = {
  startup: 'Status startup alert from',
  changed: 'Status change report from',
  reminder: 'Status unchanged reminder from',
};

/** Prefix of short text messages (SMS, XMPP); a change has none. */
export const SHORT_PREFIX: Record<AlertKind, string> = {
  startup: 'Startup alert for: ',
  changed: '',
  reminder: 'Reminder for: ',
};

/** The Status / Nodes / Time / URL block of email and Webex bodies. */
export function reportLines(alert: Alert): string[] {
  return [
    `Status: ${capitalizedStatus(alert.status)}`,
    `Nodes: ${nodesList(alert)}`,
    `Time: ${alertTime(alert)}`,
    `URL: ${alert.page.url}`,
  ];
}

/** The SMS text (Twilio); XMPP adds a URL line after it. Ends with a newline, as Vigil's does. */
export function shortText(alert: Alert): string {
  return (
    `${SHORT_PREFIX[alert.kind]}${alert.page.title}\n\n` +
    `Status: ${capitalizedStatus(alert.status)}\nNodes: ${nodesList(alert)}\nTime: ${alertTime(alert)}\n`
  );
}

/**
 * Whether target `index` of a multi-target channel is escalated (Pushover, Gotify): never for
 * startup and changes; every target on reminders without escalation; the first `escalated` targets otherwise.
 */
export function escalatedFor(alert: Alert, index: number): boolean {
  if (alert.kind !== 'reminder') return false;
  return alert.escalated === undefined ? true : index < alert.escalated;
}

/** What `vigil notify-test` messages start with, so nobody mistakes a drill for an outage. */
export const TEST_MARKER = '[TEST] ';

/** The test marker for this alert, or nothing; every channel puts it first in its main text. */
export function testMarker(alert: Alert): string {
  return alert.test ? TEST_MARKER : '';
}

/**
 * Extension (upstream #80): the replicas that came back, listed only on a change to a non-dead
 * status (a recovery), so dead alerts and reminders keep Vigil's exact text.
 */
export function recoveredReplicas(alert: Alert): string[] {
  if (alert.kind !== 'changed' || alert.status === 'dead') return [];
  return alert.recovered ?? [];
}

/** The plain "Recovered: a, b" line of text channels, or undefined when there is nothing to say. */
export function recoveredLine(alert: Alert): string | undefined {
  const recovered = recoveredReplicas(alert);
  return recovered.length > 0 ? `Recovered: ${recovered.join(', ')}` : undefined;
}

/**
 * Dead replicas counted per `service:node` (the first two `:`-separated parts), as Telegram and
 * Matrix list them. Vigil's order is a hash map's; first-seen order makes ours deterministic.
 */
export function replicaCountsByNode(alert: Alert): Array<{ node: string; count: number }> {
  const counts = new Map<string, number>();
  for (const replica of alert.replicas) {
    const node = replica.split(':').slice(0, 2).join(':');
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return [...counts].map(([node, count]) => ({ node, count }));
}

/** The note opening Pushover and Gotify messages (each adds its own markup); a change has none. */
export const KIND_NOTE: Record<AlertKind, string | undefined> = {
  startup: 'This is a startup alert.',
  changed: undefined,
  reminder: 'This is a reminder.',
};

/** One labelled fact of the card-style messages (Discord, Teams, Google Chat, Mattermost). */
export interface AlertFact {
  title: string;
  value: string;
  /** Whether it is short enough to sit beside another (Slack-style `short`, Discord `inline`). */
  short: boolean;
}

/**
 * The facts of card-style messages in Slack's field order: the dead replicas (Vigil's NODES), the
 * recovered ones, the sick ones when the channel hears of sick, then status, time and the page.
 */
export function alertFacts(alert: Alert): AlertFact[] {
  const lists: Array<[string, string[]]> = [
    ['Nodes', alert.replicas],
    ['Recovered', recoveredReplicas(alert)],
    ['Sick', alert.sick ?? []],
  ];
  return [
    ...lists
      .filter(([, replicas]) => replicas.length > 0)
      .map(([title, replicas]) => ({ title, value: replicas.join(', '), short: false })),
    { title: 'Status', value: capitalizedStatus(alert.status), short: true },
    { title: 'Time', value: alertTime(alert), short: true },
    { title: 'Monitor Page', value: alert.page.url, short: false },
  ];
}

/** The chat headline, "Status changed to: *dead*.", with the status in the channel's own bold. */
export function statusHeadline(alert: Alert, bold: (text: string) => string): string {
  return `${testMarker(alert)}${STATUS_PHRASE[alert.kind]}: ${bold(alert.status)}.`;
}

/** Status colours of the card-style channels (green, amber, red), as `#RRGGBB`. */
export const STATUS_COLOR_HEX: Record<Health, string> = {
  healthy: '#2EB67D',
  sick: '#ECB22E',
  dead: '#E01E5A',
};
/** A replica as incident channels list it: its path, then why it failed where the model knows. */
export function replicaWithReason(alert: Alert, replica: string): string {
  const reason = alert.reasons?.[replica];
  return reason === undefined ? replica : `${replica}: ${reason}`;
}

/** One line of text for incident titles (PagerDuty, Opsgenie, ntfy): "Crisp Status: Status changed to: dead. Nodes: …" */
export function incidentSummary(alert: Alert): string {
  const nodes = alert.replicas.length > 0 ? ` Nodes: ${nodesList(alert)}.` : '';
  return `${testMarker(alert)}${alert.page.title}: ${STATUS_PHRASE[alert.kind]}: ${alert.status}.${nodes}`;
}

/**
 * The plain-text body of incident channels: the status, the dead and sick replicas with their
 * reasons one per line, what recovered, the time and the page.
 */
export function incidentDescription(alert: Alert): string {
  const section = (title: string, replicas: readonly string[]) =>
    replicas.length > 0 ? [`${title}:`, ...replicas.map((replica) => replicaWithReason(alert, replica))] : [];
  const recovered = recoveredLine(alert);
  return [
    `${testMarker(alert)}${STATUS_PHRASE[alert.kind]}: ${alert.status}.`,
    ...section('Dead', alert.replicas),
    ...section('Sick', alert.sick ?? []),
    ...(recovered ? [recovered] : []),
    `Time: ${alertTime(alert)}`,
    `Page: ${alert.page.url}`,
  ].join('\n');
}
