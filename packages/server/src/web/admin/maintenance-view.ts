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
      : html`<ul class="items">${section.windows.map((window) => windowItem(window, csrfToken))}</ul>`;
  return html`<section aria-labelledby="maintenance-heading"><h2 id="maintenance-heading">Maintenance</h2>${scheduled}
<form class="card" method="post" action="${ADMIN_PATH}/maintenance"><h3>New maintenance window</h3>${csrfField(csrfToken)}${windowFields(section.targets, section.draft ?? EMPTY_DRAFT)}<button type="submit">Schedule</button></form></section>`;
}

function windowItem(window: MaintenanceWindow & { active: boolean }, csrfToken: string): SafeHtml {
  const covers = [
    window.services.length > 0 ? `services: ${window.services.join(', ')}` : undefined,
    window.nodes.length > 0 ? `nodes: ${window.nodes.join(', ')}` : undefined,
  ].filter((part) => part !== undefined);
  const when = `${window.active ? 'in progress' : 'upcoming'}, ${utc(window.startsAtMs)} to ${utc(window.endsAtMs)}`;
  return html`<li class="item"><h3>${window.title}</h3><p class="meta">${[when, ...covers].join(' · ')}</p>
<form method="post" action="${ADMIN_PATH}/maintenance/${encodeURIComponent(window.id)}/delete">${csrfField(csrfToken)}<button type="submit" class="danger">Delete<span class="sr"> “${window.title}”</span></button></form></li>`;
}

function windowFields(targets: readonly ConfiguredService[], draft: MaintenanceDraft): SafeHtml {
  return html`<label for="maintenance-title">Title</label><input id="maintenance-title" name="title" required value="${draft.title}">
<label for="maintenance-text">Text</label><textarea id="maintenance-text" name="text" required rows="3">${draft.text}</textarea>
${timeField('maintenance-starts', 'starts_at', 'Starts at', draft.startsAt, true)}${timeField('maintenance-ends', 'ends_at', 'Ends at', draft.endsAt, true)}
${targetFieldsets('maintenance', targets, draft)}<p class="hint">Pick at least one service or node: their failures raise no alert and open no incident during the window.</p>`;
}
