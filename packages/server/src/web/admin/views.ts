import type { Announcement } from '../../announcements/types.js';
import type { Delivery } from '../../notify/outbox.js';
import { html, type SafeHtml } from '../html.js';
import { ANNOUNCEMENT_SEVERITIES } from '../validation/announcement.js';
import { ANNOUNCEMENT_TEXT_MAX_BYTES, ANNOUNCEMENT_TITLE_MAX_CHARACTERS } from '../validation/fields.js';
import { ADMIN_PATH } from './cookie.js';
import { type IncidentSection, incidentSection } from './incident-view.js';
import { type MaintenanceSection, maintenanceSection } from './maintenance-view.js';
import { csrfField, selected, time, timeField, utc } from './parts.js';
import type { Notice } from './sessions.js';

/** What every console page is framed with. */
export interface Frame {
  pageTitle: string;
  /** page.css (the palette and base styles), then admin.css. */
  stylesheetUrls: readonly string[];
}

/** An announcement form's fields as the operator typed them (kept when a post is refused). */
export interface AnnouncementDraft {
  title: string;
  text: string;
  severity: string;
  expiresAt: string;
}

export interface ConsoleView extends Frame {
  csrfToken: string;
  notice?: Notice;
  announcements: readonly Announcement[];
  /** The create form's values after a refused post. */
  draft?: AnnouncementDraft;
  ignoredSeconds: number | null;
  /** Newest first; undefined when notifications are not configured. */
  deliveries: readonly Delivery[] | undefined;
  /** Absent when the server has no maintenance schedule. */
  maintenance?: MaintenanceSection;
  /** Absent when the server has no incident log. */
  incidents?: IncidentSection;
}

/** The longest an operator may ignore reminders from the console, as the manager API allows. */
export const IGNORE_SECONDS_MAX = 65_535;

const EMPTY_DRAFT: AnnouncementDraft = { title: '', text: '', severity: '', expiresAt: '' };

function document(frame: Frame, heading: string, header: SafeHtml | string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><meta name="robots" content="noindex"><link rel="icon" href="data:,"><title>${heading} · ${frame.pageTitle}</title>${frame.stylesheetUrls.map((url) => html`<link rel="stylesheet" href="${url}">`)}</head>
<body><header class="bar"><p class="site">${frame.pageTitle} · <a href="/">status page</a></p>${header}</header><main><h1>${heading}</h1>${body}</main></body></html>`
    .value;
}

function noticeBlock(notice: Notice | undefined): SafeHtml | string {
  if (notice === undefined) return '';
  return notice.kind === 'done'
    ? html`<p class="notice done" role="status">${notice.text}</p>`
    : html`<p class="notice problem" role="alert">${notice.text}</p>`;
}

/** The sign-in page; `problem` says why the last attempt failed. */
export function signInPage(frame: Frame, problem?: string): string {
  const describedBy = problem === undefined ? '' : html` aria-describedby="sign-in-problem"`;
  return document(
    frame,
    'Admin console',
    '',
    html`${problem === undefined ? '' : html`<p class="notice problem" role="alert" id="sign-in-problem">${problem}</p>`}
<form class="card" method="post" action="${ADMIN_PATH}/sign-in"><h2>Sign in</h2><p>Use the manager token of this Vigil (<code>[server] manager_token</code>).</p>
<label for="token">Manager token</label><input id="token" name="token" type="password" required autocomplete="current-password"${describedBy}>
<button type="submit">Sign in</button></form>`,
  );
}

/** A page that only says why a post was refused, with the way back. */
export function refusalPage(frame: Frame, heading: string, text: string): string {
  return document(
    frame,
    heading,
    '',
    html`<p class="notice problem" role="alert">${text}</p><p><a href="${ADMIN_PATH}">Back to the admin console</a></p>`,
  );
}

export function consolePage(view: ConsoleView): string {
  const signOut = html`<form method="post" action="${ADMIN_PATH}/sign-out">${csrfField(view.csrfToken)}<button type="submit" class="quiet">Sign out</button></form>`;
  return document(
    view,
    'Admin console',
    signOut,
    html`${noticeBlock(view.notice)}${announcementsSection(view)}${view.incidents && incidentSection(view.incidents, view.csrfToken)}${view.maintenance && maintenanceSection(view.maintenance, view.csrfToken)}${ignoreSection(view)}${deliveriesSection(view.deliveries)}`,
  );
}

function announcementsSection(view: ConsoleView): SafeHtml {
  const { csrfToken, announcements } = view;
  const current =
    announcements.length === 0
      ? html`<p>No announcements are on the page.</p>`
      : html`<ul class="items">${announcements.map((announcement, index) => announcementItem(announcement, index, csrfToken))}</ul>`;
  return html`<section aria-labelledby="announcements-heading"><h2 id="announcements-heading">Announcements</h2>${current}
<form class="card" method="post" action="${ADMIN_PATH}/announcements"><h3>New announcement</h3>${csrfField(csrfToken)}${announcementFields('new', view.draft ?? EMPTY_DRAFT)}<button type="submit">Publish</button></form></section>`;
}

function announcementItem(announcement: Announcement, index: number, csrfToken: string): SafeHtml {
  const action = `${ADMIN_PATH}/announcements/${encodeURIComponent(announcement.id)}`;
  const draft: AnnouncementDraft = {
    title: announcement.title,
    text: announcement.text,
    severity: announcement.severity ?? '',
    expiresAt: announcement.expiresAtMs === undefined ? '' : new Date(announcement.expiresAtMs).toISOString(),
  };
  const details = [
    `published ${utc(announcement.atMs)}`,
    announcement.severity,
    announcement.expiresAtMs === undefined ? undefined : `expires ${utc(announcement.expiresAtMs)}`,
  ].filter((part) => part !== undefined);
  return html`<li class="item"><h3>${announcement.title}</h3><p class="meta">${details.join(' · ')}</p>
<details><summary>Edit<span class="sr"> “${announcement.title}”</span></summary><form method="post" action="${action}">${csrfField(csrfToken)}${announcementFields(`edit-${index}`, draft)}<button type="submit">Save changes</button></form></details>
<form method="post" action="${action}/delete">${csrfField(csrfToken)}<button type="submit" class="danger">Delete<span class="sr"> “${announcement.title}”</span></button></form></li>`;
}

/** The fields of the create and edit forms; `prefix` keeps each form's ids apart. */
function announcementFields(prefix: string, draft: AnnouncementDraft): SafeHtml {
  const severities = [
    html`<option value=""${selected(draft.severity === '')}>None</option>`,
    ...ANNOUNCEMENT_SEVERITIES.map(
      (severity) =>
        html`<option value="${severity}"${selected(draft.severity === severity)}>${severity}</option>`,
    ),
  ];
  return html`<label for="${prefix}-title">Title</label><input id="${prefix}-title" name="title" required maxlength="${ANNOUNCEMENT_TITLE_MAX_CHARACTERS}" value="${draft.title}">
<label for="${prefix}-text">Text</label><textarea id="${prefix}-text" name="text" required rows="4" maxlength="${ANNOUNCEMENT_TEXT_MAX_BYTES}">${draft.text}</textarea>
<label for="${prefix}-severity">Severity</label><select id="${prefix}-severity" name="severity">${severities}</select>
${timeField(`${prefix}-expires`, 'expires_at', 'Expires at (optional)', draft.expiresAt, false)}`;
}

function ignoreSection({ csrfToken, ignoredSeconds }: ConsoleView): SafeHtml {
  const state =
    ignoredSeconds === null
      ? html`<p>Alert reminders are sent as configured.</p>`
      : html`<p>Alert reminders are ignored for another ${ignoredSeconds} s.</p>
<form method="post" action="${ADMIN_PATH}/ignore-window/clear">${csrfField(csrfToken)}<button type="submit">Stop ignoring reminders</button></form>`;
  return html`<section aria-labelledby="ignore-heading"><h2 id="ignore-heading">Alert reminders</h2>${state}
<form class="card" method="post" action="${ADMIN_PATH}/ignore-window">${csrfField(csrfToken)}<label for="ignore-seconds">Ignore reminders for (seconds)</label><input id="ignore-seconds" name="seconds" type="number" inputmode="numeric" min="1" max="${IGNORE_SECONDS_MAX}" required><button type="submit">Ignore reminders</button></form></section>`;
}

function deliveriesSection(deliveries: readonly Delivery[] | undefined): SafeHtml {
  const heading = html`<h2 id="deliveries-heading">Recent alert deliveries</h2>`;
  if (deliveries === undefined) {
    return html`<section aria-labelledby="deliveries-heading">${heading}<p>Notifications are not configured: there is no <code>[notify]</code> table.</p></section>`;
  }
  if (deliveries.length === 0) {
    return html`<section aria-labelledby="deliveries-heading">${heading}<p>No alert has been sent yet.</p></section>`;
  }
  const rows = deliveries.map((delivery) => {
    const last = delivery.attempts.at(-1);
    return html`<tr><td>${time(delivery.createdAtMs)}</td><td>${delivery.alert.kind} (${delivery.alert.status})</td><td>${delivery.channel}</td><td>${delivery.status}</td><td>${delivery.attempts.length}</td><td>${last?.error ?? ''}</td></tr>`;
  });
  return html`<section aria-labelledby="deliveries-heading">${heading}<table><caption class="sr">The most recent alert deliveries, newest first</caption>
<thead><tr><th scope="col">Created</th><th scope="col">Alert</th><th scope="col">Target</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last error</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
