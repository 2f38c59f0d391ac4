import type { FastifyInstance } from 'fastify';
import type { Delivery } from '../../notify/outbox.js';
import { requireToken } from '../auth.js';
import { MANAGER_REALM } from './manager.js';

/** Where the deliveries come from: the dispatcher, or nothing when `[notify]` is absent. */
export interface DeliveryLog {
  listDeliveries(limit: number): Promise<Delivery[]>;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const query = {
  type: 'object',
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
} as const;

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** One delivery as the manager API shows it: snake_case like the rest of Vigil's manager API. */
function present(delivery: Delivery) {
  const { alert } = delivery;
  return {
    alert: {
      id: alert.id,
      kind: alert.kind,
      status: alert.status,
      replicas: alert.replicas,
      at: iso(alert.atMs),
    },
    channel: delivery.channel,
    state: delivery.status,
    created_at: iso(delivery.createdAtMs),
    next_attempt_at: iso(delivery.nextAttemptAtMs),
    attempts: delivery.attempts.map((attempt) => ({
      number: attempt.number,
      at: iso(attempt.atMs),
      ok: attempt.error === undefined,
      error: attempt.error ?? null,
    })),
  };
}

/** Extension: `GET /manager/notifications/?limit=N`, the latest deliveries and their attempts, newest first. */
export function managerNotificationRoutes(
  app: FastifyInstance,
  options: { token: string; log?: DeliveryLog },
) {
  app.get<{ Querystring: { limit?: string } }>(
    '/manager/notifications/',
    { onRequest: requireToken(options.token, MANAGER_REALM), schema: { querystring: query } },
    async (request) => {
      const limit = Math.min(Number(request.query.limit ?? DEFAULT_LIMIT), MAX_LIMIT);
      const deliveries = options.log ? await options.log.listDeliveries(limit) : [];
      return { deliveries: deliveries.map(present) };
    },
  );
}
