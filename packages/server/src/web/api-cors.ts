import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onRequestHookHandler,
} from 'fastify';

/** The public read API: the only routes other sites' pages may read. */
const PUBLIC_PREFIX = '/api/v1';
const READ_METHODS = new Set(['GET', 'HEAD']);
/** Browsers cache a preflight this long (their own cap may be lower). */
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

const isPublicRead = (url: string, method: string | string[]) =>
  (url === PUBLIC_PREFIX || url.startsWith(`${PUBLIC_PREFIX}/`)) &&
  [method].flat().some((each) => READ_METHODS.has(each));

/**
 * CORS on the read-only `GET`/`HEAD /api/v1` routes (`[server] api_cors_origins`): `["*"]` lets every
 * site's pages read them, a list only those origins, `[]` none. The header is attached route by route
 * as routes are declared, so every `/api/v1` route gets it wherever it is registered, and no other
 * route (the reporter's hot path, the manager's writes) runs any of it. Register before the routes.
 */
export function allowCrossOriginReads(app: FastifyInstance, origins: readonly string[]) {
  if (origins.length === 0) return;
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);

  /** Sets the headers and tells whether the request's origin may read. */
  const allowOrigin = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (anyOrigin) {
      reply.header('Access-Control-Allow-Origin', '*');
      return true;
    }
    // The answer depends on the Origin header: caches must keep one per origin.
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return false;
    reply.header('Access-Control-Allow-Origin', origin);
    return true;
  };
  const crossOriginRead: onRequestHookHandler = (request, reply, done: HookHandlerDoneFunction) => {
    allowOrigin(request, reply);
    done();
  };

  app.addHook('onRoute', (route) => {
    if (!isPublicRead(route.url ?? route.path, route.method)) return;
    const hooks = [route.onRequest ?? []].flat();
    // A GET's HEAD twin may come with the GET's hooks, this one included.
    if (!hooks.includes(crossOriginRead)) route.onRequest = [crossOriginRead, ...hooks];
  });

  // Preflights: a page asking to send headers of its own (If-None-Match, say) first asks this.
  app.options(`${PUBLIC_PREFIX}/*`, { schema: { hide: true } }, async (request, reply) => {
    if (allowOrigin(request, reply)) {
      reply.header('Access-Control-Allow-Methods', 'GET, HEAD');
      const headers = request.headers['access-control-request-headers'];
      if (headers !== undefined) reply.header('Access-Control-Allow-Headers', headers);
      reply.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
    }
    reply.header('Vary', 'Origin, Access-Control-Request-Headers');
    return reply.code(204).send();
  });
}
