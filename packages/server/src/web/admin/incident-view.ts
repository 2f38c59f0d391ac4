import { INCIDENT_STATUSES, type IncidentStory } from '../../incidents/types.js';
import { html, type SafeHtml } from '../html.js';
import { ADMIN_PATH } from './cookie.js';
import { type ConfiguredService, csrfField, selected, targetFieldsets, utc } from './parts.js';

/** The declare form's fields as the operator sent them (kept when a post is refused). */
export interface IncidentDraft {
  title: string;
  status: string;
  message: string;
  services: readonly string[];
  /** As `service:node`. */
  nodes: readonly string[];
}

export interface IncidentSection {
  /** Unresolved declared incidents and open detected ones with updates, newest first, with the names shown. */
  active: ReadonlyArray<{ story: IncidentStory; title: string }>;
  /** What an incident may name. */
  targets: readonly ConfiguredService[];
  draft?: IncidentDraft;
}

const EMPTY_DRAFT: IncidentDraft = {
  title: '',
  status: 'investigating',
  message: '',
  services: [],
  nodes: [],
};

export function incidentSection(section: IncidentSection, csrfToken: string): SafeHtml {
  const active =
    section.active.length === 0
      ? html`<p>No incident is open.</p>`
      : html`<ul class="items">${section.active.map(({ story, title }, index) => incidentItem(story, title, index, csrfToken))}</ul>`;
  const draft = section.draft ?? EMPTY_DRAFT;
  return html`<section aria-labelledby="incidents-heading"><h2 id="incidents-heading">Incidents</h2>${active}
<form class="card" method="post" action="${ADMIN_PATH}/incidents"><h3>Declare an incident</h3>${csrfField(csrfToken)}<label for="incident-title">Title</label><input id="incident-title" name="title" required value="${draft.title}">
${statusField('incident-status', draft.status)}<label for="incident-message">First message</label><textarea id="incident-message" name="message" required rows="3">${draft.message}</textarea>
${targetFieldsets('incident', section.targets, draft)}<p class="hint">Optional: the services and nodes it affects, shown with it on the page.</p><button type="submit">Declare</button></form></section>`;
}

function statusField(id: string, current: string): SafeHtml {
  const options = INCIDENT_STATUSES.map(
    (status) => html`<option value="${status}"${selected(status === current)}>${status}</option>`,
  );
  return html`<label for="${id}">Status</label><select id="${id}" name="status">${options}</select>`;
}

function incidentItem(story: IncidentStory, title: string, index: number, csrfToken: string): SafeHtml {
  const details = [
    story.status ?? 'detected, no update yet',
    `started ${utc(story.startedAtMs)}`,
    `${story.updates.length} update${story.updates.length === 1 ? '' : 's'}`,
  ];
  const latest = story.updates.at(-1);
  return html`<li class="item"><h3>${title}</h3><p class="meta">${details.join(' · ')}</p>${latest ? html`<p>${latest.message}</p>` : ''}
<details><summary>Post an update<span class="sr"> to “${title}”</span></summary><form method="post" action="${ADMIN_PATH}/incidents/${encodeURIComponent(story.id)}/update">${csrfField(csrfToken)}${statusField(`incident-${index}-status`, story.status ?? 'investigating')}<label for="incident-${index}-message">Message</label><textarea id="incident-${index}-message" name="message" required rows="3"></textarea><button type="submit">Post update</button></form></details></li>`;
}
