import type { MaintenanceWindow } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import { formatAnnouncementDate } from '../../time/format.js';
import { html, type SafeHtml } from '../html.js';
import { multiline } from './announcements.js';
import type { PageTexts } from './texts.js';

/** What the page shows of the schedule: windows in progress and upcoming ones. */
export interface PageMaintenance {
  active: readonly MaintenanceWindow[];
  upcoming: readonly MaintenanceWindow[];
  isUnderMaintenance(serviceId: string, nodeId: string): boolean;
}

function when(atMs: number): SafeHtml {
  return html`<time datetime="${new Date(atMs).toISOString()}">${formatAnnouncementDate(atMs)}</time>`;
}

/** The labels of what a window covers, as configured now; references a reload removed are left out. */
function affected(window: MaintenanceWindow, model: HealthModel): string[] {
  const services = window.services.flatMap((id) => {
    const service = model.services.get(id);
    return service ? [service.spec.label] : [];
  });
  const nodes = window.nodes.flatMap((reference) => {
    const colon = reference.indexOf(':');
    const serviceId = reference.slice(0, colon);
    const node = model.node(serviceId, reference.slice(colon + 1));
    const service = model.services.get(serviceId);
    return node && service ? [`${service.spec.label} / ${node.spec.label}`] : [];
  });
  return [...services, ...nodes];
}

function windowItem(
  window: MaintenanceWindow,
  state: 'active' | 'upcoming',
  model: HealthModel,
  texts: PageTexts,
): SafeHtml {
  const covers = affected(window, model);
  const span = texts.maintenanceWhen(when(window.startsAtMs), when(window.endsAtMs));
  return html`<article class="maintenance-window is-${state}"><p class="maintenance-badge">${texts.maintenance[state]}</p><h3>${window.title}</h3><p>${multiline(window.text)}</p><p class="maintenance-when">${span}</p>${
    covers.length > 0 &&
    html`<p class="maintenance-affects">${texts.maintenanceAffects} ${covers.join(', ')}</p>`
  }</article>`;
}

/** Windows in progress, then upcoming ones, earliest first; nothing at all without any. */
export function maintenanceSection(
  maintenance: PageMaintenance | undefined,
  model: HealthModel,
  texts: PageTexts,
): SafeHtml | '' {
  if (!maintenance || maintenance.active.length + maintenance.upcoming.length === 0) return '';
  const items = [
    ...maintenance.active.map((window) => windowItem(window, 'active', model, texts)),
    ...maintenance.upcoming.map((window) => windowItem(window, 'upcoming', model, texts)),
  ];
  return html`<section class="maintenance" aria-labelledby="maintenance-title"><h2 class="maintenance-title" id="maintenance-title">${texts.maintenanceTitle}</h2>${items}</section>`;
}

/** An ended window as a line of `/history`: badge, title, when, what it covered. */
export function pastWindowItem(window: MaintenanceWindow, model: HealthModel, texts: PageTexts): SafeHtml {
  const covers = affected(window, model);
  const span = texts.maintenanceWhen(when(window.startsAtMs), when(window.endsAtMs));
  return html`<li class="incident is-maintenance"><p class="incident-head"><span class="incident-worst is-maintenance">${texts.maintenanceTitle}</span> <strong>${window.title}</strong></p><p class="incident-time">${span}</p>${
    covers.length > 0 && html`<p class="muted">${texts.maintenanceAffects} ${covers.join(', ')}</p>`
  }</li>`;
}
