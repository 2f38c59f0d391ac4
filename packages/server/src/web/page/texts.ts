import type { NodeMode } from '../../config/schema.js';
import type { Health } from '../../model/health.js';

/** Vigil's page texts word for word (spec §7.2), so its users recognise the page. */
export const TEXTS = {
  banner: {
    healthy: 'All systems report as healthy',
    sick: 'Minor service slowdown ongoing',
    dead: 'Partial service outage ongoing',
  } satisfies Record<Health, string>,
  notRefreshed: 'not yet refreshed',
  refreshed: (time: string) => `refreshed ${time}`,
  generalTitle: {
    healthy: 'Looks like everything is operating normally.',
    sick: 'Looks like services are under high load.',
    dead: 'Looks like some services are not working.',
  } satisfies Record<Health, string>,
  generalIntro:
    'This status page automatically monitors our systems and alerts if something is not working as expected.',
  /** Followed by a link reading "please contact our support." */
  generalSupport: {
    healthy: 'All systems are healthy at the moment. If you are encountering an issue,',
    sick: 'Services are slower than usual at the moment. If you are encountering an issue,',
    dead: 'Our team has been notified of the issue. If the outage persists,',
  } satisfies Record<Health, string>,
  contactSupportSentence: 'please contact our support.',
  contactSupport: 'Contact support',
  goToWebsite: 'Go to website',
  announcement: 'Announcement',
  publishedOn: 'Published on',
  replicaReports: {
    healthy: 'This replica reports as healthy.',
    sick: 'This replica reports as sick.',
    dead: 'This replica reports as dead.',
  } satisfies Record<Health, string>,
  modeLine: {
    poll: 'Checked via a poll probe (HTTP, SSH, TCP or ICMP).',
    push: 'Checked via a push probe (Reporter).',
    script: 'Checked via a script probe.',
    local: 'Checked via a local probe (internal).',
  } satisfies Record<NodeMode, string>,
  /** Extension: Vigil shows a never-probed replica as plainly healthy. */
  notCheckedYet: 'Not checked yet.',
  /** A large node's line above its unhealthy boxes, e.g. "99,997 healthy, 3 dead". */
  replicaSummary: (counts: string, notShown: number) =>
    `${counts} replicas${notShown > 0 ? ` (${notShown.toLocaleString('en-US')} more not healthy than shown)` : ''}`,
  poweredBy: 'This status page is powered by Vigil TS.',
} as const;

/** Announcement severities (an extension) keep Vigil's "Announcement" label for the default. */
export const SEVERITY_LABEL = {
  info: 'Announcement',
  warning: 'Warning',
  critical: 'Critical',
} as const;
