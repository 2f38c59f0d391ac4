import type { NodeMode, PageLanguage } from '../../config/schema.js';
import type { IncidentStatus } from '../../incidents/types.js';
import type { Health } from '../../model/health.js';
import type { UptimePeriod } from './periods.js';

type Severity = 'info' | 'warning' | 'critical';

/** Every text the page shows, in one language: `[branding] language` picks one. */
export interface PageTexts {
  /** The `lang` of the documents and the locale numbers and times are formatted in. */
  lang: string;
  banner: Record<Health, string>;
  notRefreshed: string;
  refreshed: (time: string) => string;
  generalTitle: Record<Health, string>;
  generalIntro: string;
  /** Followed by a link reading `contactSupportSentence`. */
  generalSupport: Record<Health, string>;
  contactSupportSentence: string;
  contactSupport: string;
  goToWebsite: string;
  /** The brand's word beside the logo. */
  status: string;
  announcements: string;
  publishedOn: string;
  /** Announcement severities; `info` is Vigil's "Announcement". */
  severity: Record<Severity, string>;
  /** A state in words, for screen readers and summaries. */
  health: Record<Health, string>;
  replicaReports: Record<Health, string>;
  modeLine: Record<NodeMode, string>;
  /** The words of a replica's details line: "Load: 12% Memory: 40% Latency: 31ms Queue: 3R 0N". */
  detail: { load: string; memory: string; latency: string; queue: string };
  /** Extension: Vigil shows a never-probed replica as plainly healthy. */
  notCheckedYet: string;
  replicasOf: (node: string) => string;
  /** A large node's line above its unhealthy boxes, e.g. "99,997 healthy, 3 dead replicas". */
  replicaSummary: (counts: string, notShown: number) => string;
  /**
   * A service's line on a page too large to list every node, before its unhealthy nodes:
   * "20,000 nodes: 19,990 healthy, 10 sick" and how many unhealthy ones are not shown.
   */
  nodeSummary: (total: string, counts: string, notShown: number) => string;
  /** The link from that line to the service's page of all its nodes. */
  allNodes: string;
  /** The service page's navigation between its pages of nodes. */
  nodePages: string;
  nodeRange: (first: number, last: number, total: number) => string;
  previousNodes: string;
  nextNodes: string;
  poweredBy: string;
  /** The unit of days in durations ("3 d 4 h"). */
  dayUnit: string;
  // The history strip of the main page.
  noData: string;
  uptimeOver: (window: string) => string;
  /** How much of a window has data: "over 6 d 4 h of data". */
  coverage: (covered: string) => string;
  dayCount: (count: number) => string;
  /** A day bar's tooltip for a run of days: "2026-03-05 – 2026-03-09 (5 days)". */
  dayRun: (first: string, last: string, count: number) => string;
  /** After a day's date: "sick, 100.00% up (sick 7 min)"; `troubles` may be empty. */
  dayVerdict: (state: string, percent: string, troubles: string) => string;
  /** A day or a bar without data, mid-sentence. */
  noDataLower: string;
  noTroubles: string;
  troubledOn: (days: string, list: string) => string;
  more: (count: number) => string;
  noDataOn: (days: string) => string;
  /** A node's day bar in words: "API, last 90 days: 99.95% up; no sick or dead time". */
  barSummary: (node: string, dayCount: number, percent: string | null, days: string) => string;
  /** The main page's latency chart in words. */
  sparklineSummary: (label: string, peakMs: number | undefined) => string;
  latencyOver24h: (node: string) => string;
  noLatencyData: string;
  p95UpTo: (ms: number) => string;
  // Past incidents.
  pastIncidents: string;
  noIncidents: string;
  worst: Record<'sick' | 'dead', string>;
  ongoing: string;
  replicasAffected: (count: number) => string;
  replicasLine: string;
  andMore: (count: number) => string;
  // The node detail page.
  backToPage: string;
  periodNavigation: string;
  periods: Record<UptimePeriod, string>;
  currentState: string;
  uptimeHeading: string;
  responseTimeHeading: string;
  /** After an uptime figure: "99.95% up over 6 d 4 h of data". */
  up: string;
  uptimeChart: (node: string, period: string) => string;
  latencyChart: (node: string, period: string) => string;
  bucketUptime: (percent: string) => string;
  bucketLatency: (p50: string, p95: string) => string;
  // Extension: maintenance windows.
  maintenanceTitle: string;
  /** A window's badge: in progress, or to come. */
  maintenance: Record<'active' | 'upcoming', string>;
  /** A window's span, as text around the two times: ["From ", from, " to ", to]. */
  maintenanceWhen: <T>(from: T, to: T) => Array<string | T>;
  maintenanceAffects: string;
  /** A node's tag while a window covers it. */
  underMaintenance: string;
  // Incidents with updates: on top of the page, their permalinks, /history.
  activeIncidents: string;
  incidentStatus: Record<IncidentStatus, string>;
  /** A detected incident nobody annotated, while it lasts and once it is over. */
  incidentOngoing: string;
  recovered: string;
  /** The first entry of a detected incident's timeline. */
  detected: string;
  detectedMessage: (subject: string, worst: string) => string;
  recoveredMessage: string;
  /** The name of a detected page-wide incident. */
  serviceDisruption: string;
  /** Before the start of an incident: "since 5 Mar 2026, 18:00:00 UTC+00:00". */
  since: string;
  affects: string;
  updates: string;
  allIncidents: string;
  history: string;
  historyTitle: string;
  historyNavigation: string;
  older: string;
  newest: string;
  nothingRecorded: string;
  statusPage: string;
}

/** Vigil's page texts word for word (spec §7.2), so its users recognise the page; then our own. */
const en: PageTexts = {
  lang: 'en',
  banner: {
    healthy: 'All systems report as healthy',
    sick: 'Minor service slowdown ongoing',
    dead: 'Partial service outage ongoing',
  },
  notRefreshed: 'not yet refreshed',
  refreshed: (time) => `refreshed ${time}`,
  generalTitle: {
    healthy: 'Looks like everything is operating normally.',
    sick: 'Looks like services are under high load.',
    dead: 'Looks like some services are not working.',
  },
  generalIntro:
    'This status page automatically monitors our systems and alerts if something is not working as expected.',
  generalSupport: {
    healthy: 'All systems are healthy at the moment. If you are encountering an issue,',
    sick: 'Services are slower than usual at the moment. If you are encountering an issue,',
    dead: 'Our team has been notified of the issue. If the outage persists,',
  },
  contactSupportSentence: 'please contact our support.',
  contactSupport: 'Contact support',
  goToWebsite: 'Go to website',
  status: 'Status',
  announcements: 'Announcements',
  publishedOn: 'Published on',
  severity: { info: 'Announcement', warning: 'Warning', critical: 'Critical' },
  health: { healthy: 'healthy', sick: 'sick', dead: 'dead' },
  replicaReports: {
    healthy: 'This replica reports as healthy.',
    sick: 'This replica reports as sick.',
    dead: 'This replica reports as dead.',
  },
  modeLine: {
    poll: 'Checked via a poll probe (HTTP, SSH, TCP or ICMP).',
    push: 'Checked via a push probe (Reporter).',
    script: 'Checked via a script probe.',
    local: 'Checked via a local probe (internal).',
  },
  detail: { load: 'Load', memory: 'Memory', latency: 'Latency', queue: 'Queue' },
  notCheckedYet: 'Not checked yet.',
  replicasOf: (node) => `${node} replicas`,
  replicaSummary: (counts, notShown) =>
    `${counts} replicas${notShown > 0 ? ` (${notShown.toLocaleString('en-US')} more not healthy than shown)` : ''}`,
  nodeSummary: (total, counts, notShown) =>
    `${total} nodes: ${counts}${notShown > 0 ? ` (${notShown.toLocaleString('en-US')} more not healthy than shown)` : ''}`,
  allNodes: 'All nodes',
  nodePages: 'Pages of nodes',
  nodeRange: (first, last, total) =>
    `Nodes ${first.toLocaleString('en-US')}–${last.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`,
  previousNodes: 'Previous nodes',
  nextNodes: 'Next nodes',
  poweredBy: 'This status page is powered by Vigil TS.',
  dayUnit: 'd',
  noData: 'No data',
  uptimeOver: (window) => `uptime, ${window}`,
  coverage: (covered) => `over ${covered} of data`,
  dayCount: (count) => `${count} ${count === 1 ? 'day' : 'days'}`,
  dayRun: (first, last, count) => `${first} – ${last} (${count} days)`,
  dayVerdict: (state, percent, troubles) => `${state}, ${percent} up${troubles && ` (${troubles})`}`,
  noDataLower: 'no data',
  noTroubles: 'no sick or dead time',
  troubledOn: (days, list) => `sick or dead on ${days}: ${list}`,
  more: (count) => `${count} more`,
  noDataOn: (days) => `no data on ${days}`,
  barSummary: (node, dayCount, percent, days) =>
    `${node}, last ${dayCount} days: ${percent === null ? 'no data' : `${percent} up`}; ${days}`,
  sparklineSummary: (label, peakMs) =>
    peakMs === undefined ? `${label}: no data` : `${label}: p95 up to ${Math.round(peakMs)} ms`,
  latencyOver24h: (node) => `${node} latency, last 24 h`,
  noLatencyData: 'no latency data',
  p95UpTo: (ms) => `p95 ≤ ${ms} ms`,
  pastIncidents: 'Past incidents',
  noIncidents: 'No incidents recorded.',
  worst: { sick: 'Sick', dead: 'Dead' },
  ongoing: 'ongoing',
  replicasAffected: (count) => `${count} ${count === 1 ? 'replica' : 'replicas'} affected`,
  replicasLine: 'Replicas:',
  andMore: (count) => ` and ${count} more`,
  backToPage: 'All services',
  periodNavigation: 'Period',
  periods: { '24h': 'Last 24 hours', '7d': 'Last 7 days', '90d': 'Last 90 days' },
  currentState: 'Now',
  uptimeHeading: 'Uptime',
  responseTimeHeading: 'Response time',
  up: 'up',
  uptimeChart: (node, period) => `${node} uptime, ${period}`,
  latencyChart: (node, period) => `${node} response time, ${period}`,
  bucketUptime: (percent) => `${percent} up`,
  bucketLatency: (p50, p95) => `p50 ${p50}, p95 ${p95}`,
  maintenanceTitle: 'Maintenance',
  maintenance: { active: 'In progress', upcoming: 'Scheduled' },
  maintenanceWhen: (from, to) => ['From ', from, ' to ', to],
  maintenanceAffects: 'Affects:',
  underMaintenance: 'Under maintenance',
  activeIncidents: 'Active incidents',
  incidentStatus: {
    investigating: 'Investigating',
    identified: 'Identified',
    monitoring: 'Monitoring',
    resolved: 'Resolved',
  },
  incidentOngoing: 'Ongoing',
  recovered: 'Recovered',
  detected: 'Detected',
  detectedMessage: (subject, worst) => `${subject} is not healthy. Worst state: ${worst}.`,
  recoveredMessage: 'Healthy again.',
  serviceDisruption: 'Service disruption',
  since: 'since',
  affects: 'Affects:',
  updates: 'Updates',
  allIncidents: 'All incidents and maintenance',
  history: 'History',
  historyTitle: 'Incident and maintenance history',
  historyNavigation: 'History pages',
  older: 'Older',
  newest: 'Newest',
  nothingRecorded: 'Nothing recorded.',
  statusPage: 'Status page',
};

const fr: PageTexts = {
  lang: 'fr',
  banner: {
    healthy: 'Tous les systèmes sont opérationnels',
    sick: 'Ralentissement mineur en cours',
    dead: 'Panne partielle en cours',
  },
  notRefreshed: 'pas encore actualisée',
  refreshed: (time) => `actualisée ${time}`,
  generalTitle: {
    healthy: 'Tout semble fonctionner normalement.',
    sick: 'Certains services semblent très sollicités.',
    dead: 'Certains services semblent ne pas fonctionner.',
  },
  generalIntro:
    'Cette page surveille automatiquement nos systèmes et signale ce qui ne fonctionne pas comme prévu.',
  generalSupport: {
    healthy: 'Tous les systèmes sont opérationnels en ce moment. Si vous rencontrez un problème,',
    sick: 'Les services sont plus lents que d’habitude en ce moment. Si vous rencontrez un problème,',
    dead: 'Notre équipe a été prévenue du problème. Si la panne persiste,',
  },
  contactSupportSentence: 'contactez notre support.',
  contactSupport: 'Contacter le support',
  goToWebsite: 'Aller sur le site',
  status: 'Statut',
  announcements: 'Annonces',
  publishedOn: 'Publiée le',
  severity: { info: 'Annonce', warning: 'Avertissement', critical: 'Critique' },
  health: { healthy: 'opérationnel', sick: 'ralenti', dead: 'hors service' },
  replicaReports: {
    healthy: 'Cette réplique est opérationnelle.',
    sick: 'Cette réplique est ralentie.',
    dead: 'Cette réplique est hors service.',
  },
  modeLine: {
    poll: 'Vérifiée par une sonde active (HTTP, SSH, TCP ou ICMP).',
    push: 'Vérifiée par une sonde passive (Reporter).',
    script: 'Vérifiée par une sonde script.',
    local: 'Vérifiée par une sonde locale (interne).',
  },
  detail: { load: 'Charge', memory: 'Mémoire', latency: 'Latence', queue: 'File' },
  notCheckedYet: 'Pas encore vérifiée.',
  replicasOf: (node) => `Répliques de ${node}`,
  replicaSummary: (counts, notShown) =>
    `Répliques : ${counts}${notShown > 0 ? ` (${notShown.toLocaleString('fr-FR')} autres en difficulté non affichées)` : ''}`,
  nodeSummary: (total, counts, notShown) =>
    `${total} nœuds : ${counts}${notShown > 0 ? ` (${notShown.toLocaleString('fr-FR')} autres en difficulté non affichés)` : ''}`,
  allNodes: 'Tous les nœuds',
  nodePages: 'Pages de nœuds',
  nodeRange: (first, last, total) =>
    `Nœuds ${first.toLocaleString('fr-FR')} à ${last.toLocaleString('fr-FR')} sur ${total.toLocaleString('fr-FR')}`,
  previousNodes: 'Nœuds précédents',
  nextNodes: 'Nœuds suivants',
  poweredBy: 'Cette page de statut fonctionne avec Vigil TS.',
  dayUnit: 'j',
  noData: 'Aucune donnée',
  uptimeOver: (window) => `de disponibilité, ${window}`,
  coverage: (covered) => `sur ${covered} de données`,
  dayCount: (count) => `${count} ${count === 1 ? 'jour' : 'jours'}`,
  dayRun: (first, last, count) => `${first} – ${last} (${count} jours)`,
  dayVerdict: (state, percent, troubles) => `${state}, ${percent} disponible${troubles && ` (${troubles})`}`,
  noDataLower: 'aucune donnée',
  noTroubles: 'aucun ralentissement ni panne',
  troubledOn: (days, list) => `ralenti ou hors service sur ${days} : ${list}`,
  more: (count) => `${count} autres`,
  noDataOn: (days) => `aucune donnée sur ${days}`,
  barSummary: (node, dayCount, percent, days) =>
    `${node}, ${dayCount} derniers jours : ${percent === null ? 'aucune donnée' : `${percent} disponible`} ; ${days}`,
  sparklineSummary: (label, peakMs) =>
    peakMs === undefined ? `${label} : aucune donnée` : `${label} : p95 jusqu’à ${Math.round(peakMs)} ms`,
  latencyOver24h: (node) => `Latence de ${node}, dernières 24 h`,
  noLatencyData: 'aucune donnée de latence',
  p95UpTo: (ms) => `p95 ≤ ${ms} ms`,
  pastIncidents: 'Incidents passés',
  noIncidents: 'Aucun incident enregistré.',
  worst: { sick: 'Ralenti', dead: 'Hors service' },
  ongoing: 'en cours',
  replicasAffected: (count) => `${count} ${count === 1 ? 'réplique touchée' : 'répliques touchées'}`,
  replicasLine: 'Répliques :',
  andMore: (count) => ` et ${count} autres`,
  backToPage: 'Tous les services',
  periodNavigation: 'Période',
  periods: { '24h': 'Dernières 24 heures', '7d': '7 derniers jours', '90d': '90 derniers jours' },
  currentState: 'En ce moment',
  uptimeHeading: 'Disponibilité',
  responseTimeHeading: 'Temps de réponse',
  up: 'de disponibilité',
  uptimeChart: (node, period) => `Disponibilité de ${node}, ${period}`,
  latencyChart: (node, period) => `Temps de réponse de ${node}, ${period}`,
  bucketUptime: (percent) => `${percent} disponible`,
  bucketLatency: (p50, p95) => `p50 ${p50}, p95 ${p95}`,
  maintenanceTitle: 'Maintenance',
  maintenance: { active: 'En cours', upcoming: 'Prévue' },
  maintenanceWhen: (from, to) => ['Du ', from, ' au ', to],
  maintenanceAffects: 'Concerne :',
  underMaintenance: 'En maintenance',
  activeIncidents: 'Incidents en cours',
  incidentStatus: {
    investigating: 'Analyse en cours',
    identified: 'Cause identifiée',
    monitoring: 'Sous surveillance',
    resolved: 'Résolu',
  },
  incidentOngoing: 'En cours',
  recovered: 'Rétabli',
  detected: 'Détecté',
  detectedMessage: (subject, worst) => `${subject} ne fonctionne pas normalement. Pire état : ${worst}.`,
  recoveredMessage: 'De nouveau opérationnel.',
  serviceDisruption: 'Perturbation du service',
  since: 'depuis le',
  affects: 'Concerne :',
  updates: 'Mises à jour',
  allIncidents: 'Tous les incidents et maintenances',
  history: 'Historique',
  historyTitle: 'Historique des incidents et maintenances',
  historyNavigation: 'Pages de l’historique',
  older: 'Plus anciens',
  newest: 'Plus récents',
  nothingRecorded: 'Rien d’enregistré.',
  statusPage: 'Page de statut',
};

/** The locale table: a language in `PAGE_LANGUAGES` without texts here does not compile. */
export const PAGE_TEXTS: Readonly<Record<PageLanguage, PageTexts>> = { en, fr };
