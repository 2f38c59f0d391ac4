import type { BrandingConfig } from '../config/schema.js';
import { pageLink } from '../feed/atom.js';
import type { FeedEntry } from '../feed/entry.js';

/** One mail to one subscriber. Its texts come from the operator's config and feed, never from the subscriber. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Also sent as RFC 8058 `List-Unsubscribe` with one-click POST. */
  unsubscribeUrl: string;
}

type MailBranding = Pick<BrandingConfig, 'page_title' | 'page_url' | 'company_name'>;

const KIND_LABEL: Record<FeedEntry['kind'], string> = {
  announcement: 'Announcement',
  incident: 'Incident',
  maintenance: 'Maintenance',
};

function footer(branding: MailBranding, unsubscribeUrl: string): string[] {
  return [
    '--',
    `${branding.page_title}: ${pageLink(branding.page_url)}`,
    `To stop these mails, open: ${unsubscribeUrl}`,
  ];
}

export function confirmationMail(
  branding: MailBranding,
  links: { to: string; confirmUrl: string; unsubscribeUrl: string; validHours: number },
): OutgoingMail {
  return {
    to: links.to,
    subject: `Confirm your subscription to ${branding.page_title}`,
    text: [
      `Someone, probably you, asked to receive the incidents, maintenance and announcements of ${branding.company_name} at this address.`,
      '',
      'To confirm, open this link and press the button:',
      links.confirmUrl,
      '',
      `Without a confirmation within ${links.validHours} hours nothing more is sent and the request is forgotten.`,
      '',
      ...footer(branding, links.unsubscribeUrl),
    ].join('\n'),
    unsubscribeUrl: links.unsubscribeUrl,
  };
}

export function noticeMail(
  branding: MailBranding,
  entry: FeedEntry,
  to: string,
  unsubscribeUrl: string,
): OutgoingMail {
  return {
    to,
    subject: `[${branding.page_title}] ${KIND_LABEL[entry.kind]}: ${entry.title}`,
    text: [
      entry.title,
      '',
      entry.text,
      '',
      pageLink(branding.page_url, entry.path ?? ''),
      '',
      ...footer(branding, unsubscribeUrl),
    ].join('\n'),
    unsubscribeUrl,
  };
}
