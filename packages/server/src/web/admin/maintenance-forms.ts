import { MAINTENANCE_TARGETS_MAX, MaintenanceFullError } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Clock } from '../../time/clock.js';
import type { MaintenanceManager } from '../routes/manager.js';
import { maintenanceFromBody } from '../validation/maintenance.js';
import { type ConsoleForms, field, fieldList, lineBreaks } from './forms.js';
import type { MaintenanceDraft, MaintenanceSection } from './maintenance-view.js';
import { configuredServices } from './parts.js';

export interface MaintenanceFormOptions {
  maintenance: MaintenanceManager;
  /** What a window may name. */
  model: Pick<HealthModel, 'services' | 'node'>;
  clock: Clock;
}

/** The section's content: windows in progress, then upcoming ones, and what a new one may name. */
export function maintenanceSection(
  options: MaintenanceFormOptions,
  draft?: MaintenanceDraft,
): MaintenanceSection {
  const { maintenance, model } = options;
  const targets = configuredServices(model);
  const windows = [
    ...maintenance.active().map((window) => ({ ...window, active: true })),
    ...maintenance.upcoming().map((window) => ({ ...window, active: false })),
  ];
  return { windows, targets, draft };
}

/** Schedule a window (the manager API's checks) and delete one. */
export function maintenanceForms(forms: ConsoleForms, options: MaintenanceFormOptions): void {
  const { maintenance, model, clock } = options;

  forms.post('/maintenance', async (_request, reply, session, form) => {
    const draft: MaintenanceDraft = {
      title: field(form, 'title') ?? '',
      text: lineBreaks(field(form, 'text') ?? ''),
      startsAt: field(form, 'starts_at')?.trim() ?? '',
      endsAt: field(form, 'ends_at')?.trim() ?? '',
      services: fieldList(form, 'services'),
      nodes: fieldList(form, 'nodes'),
    };
    const refuse = (status: number, text: string) =>
      forms.refuse(reply, session, { status, text, drafts: { maintenance: draft } });
    if (draft.services.length > MAINTENANCE_TARGETS_MAX || draft.nodes.length > MAINTENANCE_TARGETS_MAX) {
      return refuse(
        400,
        `a window names at most ${MAINTENANCE_TARGETS_MAX} services and ${MAINTENANCE_TARGETS_MAX} nodes`,
      );
    }
    const body = {
      title: draft.title,
      text: draft.text,
      starts_at: draft.startsAt,
      ends_at: draft.endsAt,
      services: [...draft.services],
      nodes: [...draft.nodes],
    };
    const window = maintenanceFromBody(body, model, clock.now());
    // The manager API's wording names JSON fields (`body/ends_at`); a form's are just `ends_at`.
    if ('error' in window) return refuse(400, window.error.replaceAll('body/', ''));
    try {
      await maintenance.add(window);
    } catch (error) {
      if (error instanceof MaintenanceFullError) return refuse(409, error.message);
      throw error;
    }
    return forms.done(reply, session, `Scheduled “${draft.title}”.`);
  });

  forms.post('/maintenance/:maintenanceId/delete', async (request, reply, session) => {
    const { maintenanceId } = request.params as { maintenanceId: string };
    const title = [...maintenance.active(), ...maintenance.upcoming()].find(
      (each) => each.id === maintenanceId,
    )?.title;
    if (title === undefined || !(await maintenance.remove(maintenanceId))) {
      const text = 'That maintenance window is no longer scheduled (deleted or over): nothing was changed.';
      return forms.refuse(reply, session, { status: 404, text });
    }
    return forms.done(reply, session, `Deleted “${title}”.`);
  });
}
