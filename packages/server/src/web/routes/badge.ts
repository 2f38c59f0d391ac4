import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Health } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import { colorBadge, iconBadge, shieldBadge } from '../badge-svg.js';
import { prepare, type Representation, sendRepresentation } from '../representation.js';

const KINDS = {
  color: (_label: string, health: Health) => colorBadge(health),
  icon: (_label: string, health: Health) => iconBadge(health),
  shield: shieldBadge,
} as const;

type Kind = keyof typeof KINDS;
const isKind = (kind: string): kind is Kind => Object.hasOwn(KINDS, kind);

interface BadgeParams {
  kind: string;
  serviceId?: string;
  nodeId?: string;
}

/**
 * Badges of the page (`/badge/color`, `/badge/icon` as in Vigil, plus `shield`), of a service
 * (`/badge/<kind>/<service>`) and of a node (`/badge/<kind>/<service>/<node>`). Like Vigil, no
 * Last-Modified, so no cache reuses a badge across a status change; an ETag lets them revalidate.
 */
export function badgeRoutes(app: FastifyInstance, options: { model: HealthModel }) {
  const { model } = options;
  // Few distinct badges exist (kinds × subjects × 3 states): each is built once.
  const built = new Map<string, Representation>();
  const badge = (kind: Kind, label: string, health: Health) => {
    const key = JSON.stringify([kind, label, health]);
    let representation = built.get(key);
    if (!representation) {
      representation = prepare(KINDS[kind](label, health), { contentType: 'image/svg+xml' });
      built.set(key, representation);
    }
    return representation;
  };

  const subject = ({ serviceId, nodeId }: BadgeParams): { label: string; health: Health } | undefined => {
    if (serviceId === undefined) return { label: 'status', health: model.pageHealth };
    const service = model.services.get(serviceId);
    if (!service) return undefined;
    if (nodeId === undefined) return { label: service.spec.label, health: service.health };
    const node = service.nodes.get(nodeId);
    return node && { label: node.spec.label, health: node.health };
  };

  const handler = async (request: FastifyRequest<{ Params: BadgeParams }>, reply: FastifyReply) => {
    const { kind } = request.params;
    const found = subject(request.params);
    if (!isKind(kind) || !found) return reply.callNotFound();
    // Sites that isolate themselves (COEP) may still show our badges.
    reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    return sendRepresentation(request, reply, badge(kind, found.label, found.health), 'no-cache');
  };
  for (const path of ['/badge/:kind', '/badge/:kind/:serviceId', '/badge/:kind/:serviceId/:nodeId']) {
    app.get<{ Params: BadgeParams }>(path, handler);
  }
}
