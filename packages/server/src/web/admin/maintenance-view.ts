import type { MaintenanceWindow } from '../../maintenance/types.js';
import { html, type SafeHtml } from '../html.js';
import { ADMIN_PATH } from './cookie.js';
import { type ConfiguredService, csrfField, targetFieldsets, timeField, utc } from './parts.js';

/** The maintenance form's fields as the operator sent them (kept when a post is refused). */
export interface MaintenanceDraft {
  title: string;
  text: string;
  startsAt: string;
  endsAt: string;
  services: readonly string[];
  /** As `service:node`. */
  nodes: readonly string[];
}

export interface MaintenanceSection {
  /** Windows in progress, then upcoming ones. */
  windows: ReadonlyArray<MaintenanceWindow & { active: boolean }>;
  /** What a window may name. */
  targets: readonly ConfiguredService[];
  draft?: MaintenanceDraft;
}

const EMPTY_DRAFT: MaintenanceDraft = {
  title: '',
  text: '',
  startsAt: '',
  endsAt: '',
  services: [],
  nodes: [],
};

export function maintenanceSection(section: MaintenanceSection, csrfToken: string): SafeHtml {
  const scheduled =
    section.windows.length === 0
      ? html`<p>No maintenance is in progress or scheduled.</p>`
      : html`<ul class="items">${section.windows.map((window, index) => windowItem(window, index, section.targets, csrfToken))}</ul>`;
  return html`<section aria-labelledby="maintenance-heading"><h2 id="maintenance-heading">Maintenance</h2>${scheduled}
<form class="card" method="post" action="${ADMIN_PATH}/maintenance"><h3>New maintenance window</h3>${csrfField(csrfToken)}${windowFields('maintenance', section.targets, section.draft ?? EMPTY_DRAFT)}<button type="submit">Schedule</button></form></section>`;
}

function windowItem(
  window: MaintenanceWindow & { active: boolean },
  index: number,
  targets: readonly ConfiguredService[],
  csrfToken: string,
): SafeHtml {
  const action = `${ADMIN_PATH}/maintenance/${encodeURIComponent(window.id)}`;
  const draft: MaintenanceDraft = {
    title: window.title,
    text: window.text,
    startsAt: new Date(window.startsAtMs).toISOString(),
    endsAt: new Date(window.endsAtMs).toISOString(),
    services: window.services,
    nodes: window.nodes,
  };
  const covers = [
    window.services.length > 0 ? `services: ${window.services.join(', ')}` : undefined,
    window.nodes.length > 0 ? `nodes: ${window.nodes.join(', ')}` : undefined,
  ].filter((part) => part !== undefined);
  const when = `${window.active ? 'in progress' : 'upcoming'}, ${utc(window.startsAtMs)} to ${utc(window.endsAtMs)}`;
  return html`<li class="item"><h3>${window.title}</h3><p class="meta">${[when, ...covers].join(' · ')}</p>
<details><summary>Edit<span class="sr"> “${window.title}”</span></summary><form method="post" action="${action}">${csrfField(csrfToken)}${windowFields(`maintenance-edit-${index}`, targets, draft)}<button type="submit">Save changes</button></form></details>
<form method="post" action="${action}/delete">${csrfField(csrfToken)}<button type="submit" class="danger">Delete<span class="sr"> “${window.title}”</span></button></form></li>`;
}

/** The fields of the create and edit forms; `prefix` keeps each form's ids apart. */
function windowFields(
  prefix: string,
  targets: readonly ConfiguredService[],
  draft: MaintenanceDraft,
): SafeHtml {
  return html`<label for="${prefix}-title">Title</label><input id="${prefix}-title" name="title" required value="${draft.title}">
<label for="${prefix}-text">Text</label><textarea id="${prefix}-text" name="text" required rows="3">${draft.text}</textarea>
${timeField(`${prefix}-starts`, 'starts_at', 'Starts at', draft.startsAt, true)}${timeField(`${prefix}-ends`, 'ends_at', 'Ends at', draft.endsAt, true)}
${targetFieldsets(prefix, targets, draft)}<p class="hint">Pick at least one service or node: their failures raise no alert and open no incident during the window.</p>`;
}
