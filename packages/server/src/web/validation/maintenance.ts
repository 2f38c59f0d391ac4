import type { NewMaintenanceWindow } from '../../maintenance/schedule.js';
import { MAINTENANCE_HORIZON_MS, MAINTENANCE_TARGETS_MAX } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import { RFC3339_EXPECTED, rfc3339Ms, TEXT_RULE, TITLE_RULE, textProblem } from './fields.js';
import { unknownTargetProblem } from './targets.js';

const targets = { type: 'array', maxItems: MAINTENANCE_TARGETS_MAX, items: { type: 'string' } } as const;

/** `POST /manager/maintenance` as JSON Schema: the shape; `maintenanceProblem` checks the meaning. */
export const maintenanceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'text', 'starts_at', 'ends_at'],
  properties: {
    title: { type: 'string' },
    text: { type: 'string' },
    starts_at: { type: 'string' },
    ends_at: { type: 'string' },
    services: targets,
    nodes: targets,
  },
} as const;

export interface MaintenanceBody {
  title: string;
  text: string;
  starts_at: string;
  ends_at: string;
  services?: string[];
  nodes?: string[];
}

/**
 * The window a request asks for, or why it cannot be one, naming the field. Services and nodes
 * must be configured now: a typo would otherwise silence nothing while looking like it does.
 */
export function maintenanceFromBody(
  body: MaintenanceBody,
  model: Pick<HealthModel, 'services' | 'node'>,
  nowMs: number,
): NewMaintenanceWindow | { error: string } {
  const { title, text } = body;
  const textError = textProblem('body/title', title, TITLE_RULE) ?? textProblem('body/text', text, TEXT_RULE);
  if (textError !== undefined) return { error: textError };
  const startsAtMs = rfc3339Ms(body.starts_at);
  if (startsAtMs === undefined) return { error: `body/starts_at must be ${RFC3339_EXPECTED}` };
  const endsAtMs = rfc3339Ms(body.ends_at);
  if (endsAtMs === undefined) return { error: `body/ends_at must be ${RFC3339_EXPECTED}` };
  if (endsAtMs <= startsAtMs) return { error: 'body/ends_at must be after body/starts_at' };
  if (endsAtMs <= nowMs) return { error: 'body/ends_at is in the past: the window would never apply' };
  if (endsAtMs > nowMs + MAINTENANCE_HORIZON_MS) {
    return { error: `body/ends_at must be within ${MAINTENANCE_HORIZON_MS / 86_400_000} days from now` };
  }
  const services = [...new Set(body.services ?? [])];
  const nodes = [...new Set(body.nodes ?? [])];
  if (services.length + nodes.length === 0) {
    return { error: 'give at least one of body/services and body/nodes' };
  }
  const unknown = unknownTargetProblem(model, body.services ?? [], body.nodes ?? []);
  if (unknown !== undefined) return { error: unknown };
  return { title, text, startsAtMs, endsAtMs, services, nodes };
}
