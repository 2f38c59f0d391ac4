import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import type { RawConfig } from '../config/schema.js';
import type { HealthModel } from '../model/health-model.js';
import { pageRoutes } from './routes/page.js';
import { reporterRoutes } from './routes/reporter.js';
import { statusRoutes } from './routes/status.js';

export interface AppDependencies {
  config: RawConfig;
  model: HealthModel;
  logger: FastifyBaseLogger;
}

/** Vigil's default body limit; routes that expect small bodies set their own lower bound. */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/** The HTTP surface: routes translate HTTP to model calls and back. */
export function buildApp({ config, model, logger }: AppDependencies): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // One log line per request would drown the log at thousands of reports a second.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Vigil trims trailing slashes and collapses doubled ones: every route answers both ways.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  // Vigil accepts any `*/*+json` media type as JSON.
  app.addContentTypeParser(
    /^[\w.-]+\/[\w.-]+\+json(;|$)/i,
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal error' });
    }
    // Vigil answers an unusable Content-Type with 400, not 415.
    return reply.code(status === 415 ? 400 : status).send({ error: error.message });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));

  const branding = config.branding;
  app.register(async (scope) => {
    reporterRoutes(scope, { model, token: config.server.reporter_token });
    statusRoutes(scope, { model, branding });
    pageRoutes(scope, { model, branding });
  });
  return app;
}
