import type { Announcement } from '../../announcements/types.js';
import { formatAnnouncementDate } from '../../time/format.js';
import { html, type SafeHtml } from '../html.js';
import type { PageTexts } from './texts.js';

/** Escaped text with its line breaks kept as <br>. */
export function multiline(text: string): SafeHtml[] {
  return text.split(/\r\n|\r|\n/).map((line, index) => (index === 0 ? html`${line}` : html`<br>${line}`));
}

function announcementItem(announcement: Announcement, texts: PageTexts): SafeHtml {
  const severity = announcement.severity ?? 'info';
  return html`<article class="announcement announcement-unit is-${severity}"><p class="announcement-badge alert-announce-background">${texts.severity[severity]}</p><h3>${announcement.title}</h3><p>${multiline(announcement.text)}</p><p class="announcement-date">${texts.publishedOn} <time datetime="${new Date(announcement.atMs).toISOString()}">${formatAnnouncementDate(announcement.atMs)}</time></p></article>`;
}

/** Announcements, newest first as Vigil shows them; nothing at all when there are none. */
export function announcementsSection(
  announcements: readonly Announcement[],
  texts: PageTexts,
): SafeHtml | '' {
  if (announcements.length === 0) return '';
  const items = [...announcements].reverse().map((announcement) => announcementItem(announcement, texts));
  return html`<section class="announcements alert-announce-background-before" aria-label="${texts.announcements}">${items}</section>`;
}
