import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ClusterView } from '../../store/types.js';
import { requireToken } from '../auth.js';
import type { AuthThrottle } from '../auth-throttle.js';
import { AUTH_ERRORS, errorResponse } from '../errors.js';
import { MANAGER_REALM } from './manager.js';
import { time } from './schema-parts.js';

/** What the cluster routes read: this member's id and the database's view of the cluster. */
export interface ClusterStatusSource {
  instanceId: string;
  view(): Promise<ClusterView>;
}

export interface ClusterRouteOptions {
  cluster: ClusterStatusSource;
  managerToken: string;
  throttle: AuthThrottle;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The answer's shape, for the serializer and the API description. */
const clusterResponse = {
  description: 'The members and the alert leader',
  type: 'object',
  required: ['instance_id', 'database_time', 'leader', 'members'],
  properties: {
    instance_id: { type: 'string', description: 'The member that answered' },
    database_time: time,
    leader: {
      type: ['object', 'null'],
      required: ['instance_id', 'token', 'since', 'lease_until', 'current'],
      properties: {
        instance_id: { type: 'string' },
        token: { type: 'integer', description: 'Fencing token: grows with every new leadership' },
        since: time,
        lease_until: time,
        current: { type: 'boolean', description: 'Its lease runs by the database clock' },
      },
    },
    members: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'instance_id',
          'vantage',
          'started_at',
          'last_heartbeat',
          'lease_seconds',
          'alive',
          'leader',
          'self',
        ],
        properties: {
          instance_id: { type: 'string' },
          vantage: { type: 'string' },
          started_at: time,
          last_heartbeat: time,
          lease_seconds: { type: 'number' },
          alive: { type: 'boolean' },
          leader: { type: 'boolean' },
          self: { type: 'boolean' },
        },
      },
    },
  },
} as const;

const summary = 'Cluster members, their liveness, and the alert leader';
const unreadable = errorResponse("The cluster's database cannot be read");
const publicSchema = { summary, response: { 200: clusterResponse, 503: unreadable } };
const managerSchema = { summary, response: { 200: clusterResponse, ...AUTH_ERRORS, 503: unreadable } };

/** The cluster as JSON: members with vantage, last heartbeat and liveness, and the alert leader. */
export function clusterDocument(self: string, view: ClusterView) {
  const { leader } = view;
  return {
    instance_id: self,
    database_time: iso(view.nowMs),
    leader: leader
      ? {
          instance_id: leader.instanceId,
          token: leader.token,
          since: iso(leader.acquiredAtMs),
          lease_until: iso(leader.leaseUntilMs),
          current: leader.current,
        }
      : null,
    members: view.members.map((member) => ({
      instance_id: member.instanceId,
      vantage: member.vantage,
      started_at: iso(member.startedAtMs),
      last_heartbeat: iso(member.heartbeatAtMs),
      lease_seconds: member.leaseMs / 1000,
      alive: member.alive,
      leader: leader?.current === true && leader.instanceId === member.instanceId,
      self: member.instanceId === self,
    })),
  };
}

/**
 * `GET /api/v1/cluster` (public, like the rest of /api/v1) and `GET /manager/cluster/` (manager
 * token): the same document, read from the database on each request. Registered only with `[cluster]`.
 */
export function clusterRoutes(app: FastifyInstance, options: ClusterRouteOptions) {
  const { cluster } = options;
  const answer = async (reply: FastifyReply) => {
    let view: ClusterView;
    try {
      view = await cluster.view();
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      return reply.code(503).send({ error: `the cluster's database cannot be read: ${cause}` });
    }
    return clusterDocument(cluster.instanceId, view);
  };
  app.get('/api/v1/cluster', { schema: publicSchema }, async (_request, reply) => answer(reply));
  const onRequest = requireToken(options.managerToken, MANAGER_REALM, options.throttle);
  app.get('/manager/cluster', { onRequest, schema: managerSchema }, async (_request, reply) => answer(reply));
}
