import type { HealthModel } from '../../model/health-model.js';
import { html, type SafeHtml } from '../html.js';

/** `2026-03-05 18:00:00 UTC`: one zone for every operator, said plainly. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function time(ms: number): SafeHtml {
  return html`<time datetime="${new Date(ms).toISOString()}">${utc(ms)}</time>`;
}

/** The session's synchronizer token, in every form. */
export const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}">`;

export const selected = (yes: boolean) => (yes ? html` selected` : '');
export const checked = (yes: boolean) => (yes ? html` checked` : '');

/** A text field for an RFC 3339 time, with the format said next to it. */
export function timeField(
  id: string,
  name: string,
  label: string,
  value: string,
  required: boolean,
): SafeHtml {
  const hint = required
    ? 'An RFC 3339 time with a zone, such as 2026-03-05T18:00:00Z.'
    : 'An RFC 3339 time with a zone, such as 2026-03-05T18:00:00Z; empty: until deleted.';
  return html`<label for="${id}">${label}</label><input id="${id}" name="${name}" value="${value}"${required ? html` required` : ''} aria-describedby="${id}-hint"><p class="hint" id="${id}-hint">${hint}</p>`;
}

/** A configured service and its nodes, as forms offer them. */
export interface ConfiguredService {
  id: string;
  label: string;
  nodes: ReadonlyArray<{ id: string; label: string }>;
}

export function configuredServices(model: Pick<HealthModel, 'services'>): ConfiguredService[] {
  return [...model.services.values()].map((service) => ({
    id: service.spec.id,
    label: service.spec.label,
    nodes: [...service.nodes.values()].map((node) => ({ id: node.spec.id, label: node.spec.label })),
  }));
}

/**
 * Checkboxes for whole services (`services`, by id) and single nodes (`nodes`, as `service:node`),
 * ticked as `chosen` says; `prefix` keeps each form's ids apart.
 */
export function targetFieldsets(
  prefix: string,
  services: readonly ConfiguredService[],
  chosen: { services: readonly string[]; nodes: readonly string[] },
): SafeHtml {
  const serviceChoices = services.map(
    (service, index) =>
      html`<div class="choice"><input type="checkbox" id="${prefix}-service-${index}" name="services" value="${service.id}"${checked(chosen.services.includes(service.id))}><label for="${prefix}-service-${index}">${service.label}</label></div>`,
  );
  const nodeChoices = services.flatMap((service, serviceIndex) =>
    service.nodes.map((node, nodeIndex) => {
      const value = `${service.id}:${node.id}`;
      const id = `${prefix}-node-${serviceIndex}-${nodeIndex}`;
      return html`<div class="choice"><input type="checkbox" id="${id}" name="nodes" value="${value}"${checked(chosen.nodes.includes(value))}><label for="${id}">${service.label} / ${node.label}</label></div>`;
    }),
  );
  return html`<fieldset><legend>Whole services</legend>${serviceChoices}</fieldset><fieldset><legend>Single nodes</legend>${nodeChoices}</fieldset>`;
}
