import type { HealthModel } from '../../model/health-model.js';
import type { Incident } from '../../store/types.js';
import { formatAnnouncementDate, formatClockTime } from '../../time/format.js';
import { duration } from '../history/uptime-bar.js';
import { html, type SafeHtml } from '../html.js';
import type { PageTexts } from './texts.js';

/** Replica ids listed per incident; the rest are counted. */
const REPLICAS_SHOWN = 5;

/**
 * "Past incidents", newest first, at the bottom of the page. Replica ids (often private
 * addresses) appear only for nodes with `reveal_replica_name`, as everywhere on the page; other
 * incidents say how many replicas failed. A node no longer configured shows by its ids.
 */
export function incidentsSection(
  incidents: readonly Incident[],
  model: HealthModel,
  texts: PageTexts,
): SafeHtml {
  const items = incidents.map((incident) => incidentItem(incident, model, texts));
  return html`<section class="incidents" aria-labelledby="incidents-title"><h2 class="incidents-title" id="incidents-title">${texts.pastIncidents}</h2>${
    items.length === 0
      ? html`<p class="muted">${texts.noIncidents}</p>`
      : html`<ol class="incident-list">${items}</ol>`
  }</section>`;
}

function incidentItem(incident: Incident, model: HealthModel, texts: PageTexts): SafeHtml {
  const service = model.services.get(incident.serviceId);
  const node = service?.nodes.get(incident.nodeId);
  const start = incident.startedAtMs;
  const end = incident.endedAtMs;
  return html`<li class="incident is-${incident.worst}"><p class="incident-head"><span class="incident-worst">${texts.worst[incident.worst]}</span> <strong>${service?.spec.label ?? incident.serviceId} › ${node?.spec.label ?? incident.nodeId}</strong></p><p class="incident-time">${timeOf(start)} – ${
    end === undefined
      ? html`<strong>${texts.ongoing}</strong>`
      : html`${timeOf(end, sameUtcDay(start, end))} <span class="muted">(${duration((end - start) / 1000, texts.dayUnit)})</span>`
  }</p>${replicasLine(incident, node?.spec.revealReplicaName ?? false, texts)}</li>`;
}

/** Vigil's date format; an end on the day it started needs only the time. */
function timeOf(ms: number, timeOnly = false): SafeHtml {
  return html`<time datetime="${new Date(ms).toISOString()}">${timeOnly ? formatClockTime(ms) : formatAnnouncementDate(ms)}</time>`;
}

const sameUtcDay = (a: number, b: number) => Math.floor(a / 86_400_000) === Math.floor(b / 86_400_000);

function replicasLine(incident: Incident, reveal: boolean, texts: PageTexts): SafeHtml | '' {
  const total = incident.replicas.length;
  if (total === 0) return '';
  if (!reveal) return html`<p class="muted">${texts.replicasAffected(total)}</p>`;
  // Stored as `service:node:replica`; a replica id may itself hold colons (URLs).
  const ids = incident.replicas.slice(0, REPLICAS_SHOWN).map((path) => path.split(':').slice(2).join(':'));
  const more = total - ids.length;
  return html`<p class="muted">${texts.replicasLine} ${ids.map((id, index) => html`${index > 0 && ', '}<code>${id}</code>`)}${
    more > 0 && texts.andMore(more)
  }</p>`;
}
