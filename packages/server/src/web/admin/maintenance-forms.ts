import type { NewMaintenanceWindow } from '../../maintenance/schedule.js';
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

/** The fields a maintenance form sent, as typed. */
function draftOf(form: Parameters<typeof field>[0]): MaintenanceDraft {
  return {
    title: field(form, 'title') ?? '',
    text: lineBreaks(field(form, 'text') ?? ''),
    startsAt: field(form, 'starts_at')?.trim() ?? '',
    endsAt: field(form, 'ends_at')?.trim() ?? '',
    services: fieldList(form, 'services'),
    nodes: fieldList(form, 'nodes'),
  };
}

/** The window a draft asks for (the manager API's checks), or why not, worded for a form. */
function windowOf(
  draft: MaintenanceDraft,
  options: MaintenanceFormOptions,
): NewMaintenanceWindow | { error: string } {
  if (draft.services.length > MAINTENANCE_TARGETS_MAX || draft.nodes.length > MAINTENANCE_TARGETS_MAX) {
    return {
      error: `a window names at most ${MAINTENANCE_TARGETS_MAX} services and ${MAINTENANCE_TARGETS_MAX} nodes`,
    };
  }
  const body = {
    title: draft.title,
    text: draft.text,
    starts_at: draft.startsAt,
    ends_at: draft.endsAt,
    services: [...draft.services],
    nodes: [...draft.nodes],
  };
  const window = maintenanceFromBody(body, options.model, options.clock.now());
  // The manager API's wording names JSON fields (`body/ends_at`); a form's are just `ends_at`.
  return 'error' in window ? { error: window.error.replaceAll('body/', '') } : window;
}

const GONE = 'That maintenance window is no longer scheduled (deleted or over): nothing was changed.';

/** Schedule a window, change one, delete one. */
export function maintenanceForms(forms: ConsoleForms, options: MaintenanceFormOptions): void {
  const { maintenance } = options;

  forms.post('/maintenance', async (_request, reply, session, form) => {
    const draft = draftOf(form);
    const refuse = (status: number, text: string) =>
      forms.refuse(reply, session, { status, text, drafts: { maintenance: draft } });
    const window = windowOf(draft, options);
    if ('error' in window) return refuse(400, window.error);
    try {
      await maintenance.add(window);
    } catch (error) {
      if (error instanceof MaintenanceFullError) return refuse(409, error.message);
      throw error;
    }
    return forms.done(reply, session, `Scheduled “${draft.title}”.`);
  });

  forms.post('/maintenance/:maintenanceId', async (request, reply, session, form) => {
    const { maintenanceId } = request.params as { maintenanceId: string };
    const window = windowOf(draftOf(form), options);
    if ('error' in window) return forms.refuse(reply, session, { status: 400, text: window.error });
    const updated = await maintenance.update(maintenanceId, window);
    if (updated === undefined) return forms.refuse(reply, session, { status: 404, text: GONE });
    return forms.done(reply, session, `Saved “${updated.title}”.`);
  });

  forms.post('/maintenance/:maintenanceId/delete', async (request, reply, session) => {
    const { maintenanceId } = request.params as { maintenanceId: string };
    const title = [...maintenance.active(), ...maintenance.upcoming()].find(
      (each) => each.id === maintenanceId,
    )?.title;
    if (title === undefined || !(await maintenance.remove(maintenanceId))) {
      return forms.refuse(reply, session, { status: 404, text: GONE });
    }
    return forms.done(reply, session, `Deleted “${title}”.`);
  });
}
