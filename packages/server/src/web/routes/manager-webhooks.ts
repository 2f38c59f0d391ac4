import type { FastifyInstance } from 'fastify';
import { WEBHOOK_URL_MAX, type WebhookSubscriptions } from '../../subscriptions/webhooks.js';
import { requireToken } from '../auth.js';
import type { AuthThrottle } from '../auth-throttle.js';
import { MANAGER_REALM } from './manager.js';
import { addWebhookResponses, listWebhooksResponses, removeWebhookSchema } from './manager-schemas.js';

export interface ManagerWebhookOptions {
  token: string;
  throttle: AuthThrottle;
  webhooks: WebhookSubscriptions;
}

const webhookBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: { url: { type: 'string', minLength: 1, maxLength: WEBHOOK_URL_MAX } },
} as const;

/**
 * Extension of the manager API: webhook subscriptions to the feed (docs/subscriptions.md). Only the
 * manager adds them, so the public can never make Vigil TS post somewhere.
 */
export function managerWebhookRoutes(app: FastifyInstance, options: ManagerWebhookOptions) {
  const { webhooks } = options;
  const onRequest = requireToken(options.token, MANAGER_REALM, options.throttle);

  app.get('/manager/subscriptions/webhooks', { onRequest, schema: listWebhooksResponses }, async () => ({
    webhooks: (await webhooks.list()).map((hook) => ({
      id: hook.id,
      url: hook.target,
      created_at: new Date(hook.createdAtMs).toISOString(),
    })),
  }));

  app.post<{ Body: { url: string } }>(
    '/manager/subscriptions/webhook',
    { onRequest, bodyLimit: 8 * 1024, schema: { body: webhookBody, ...addWebhookResponses } },
    async (request, reply) => {
      const added = await webhooks.add(request.body.url);
      if ('error' in added) return reply.code(added.conflict ? 409 : 400).send({ error: added.error });
      return { id: added.id };
    },
  );

  app.delete<{ Params: { webhookId: string } }>(
    '/manager/subscriptions/webhook/:webhookId',
    { onRequest, schema: removeWebhookSchema },
    async (request, reply) => {
      if (!(await webhooks.remove(request.params.webhookId))) {
        return reply.code(404).send({ error: 'unknown webhook' });
      }
      return reply.code(200).send();
    },
  );
}
