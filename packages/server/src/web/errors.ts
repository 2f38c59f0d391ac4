import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The `$id` of the one error shape, shared by every route's schema and the OpenAPI document. */
export const ERROR_SCHEMA_ID = 'Error';

/**
 * Every 4xx and 5xx answer of every route is this object: one shape for clients to read, whatever
 * answered (a route, the auth check, Fastify's own validation, a 404). Vigil's clients read only the
 * status code; the message is for people.
 */
export const ERROR_SCHEMA = {
  $id: ERROR_SCHEMA_ID,
  type: 'object',
  description: 'The body of every 4xx and 5xx answer.',
  required: ['error'],
  properties: { error: { type: 'string', description: 'What went wrong, in words.' } },
} as const;

/** A response schema entry for an error status, for a route's `schema.response`. */
export const errorResponse = (description: string) => ({ $ref: `${ERROR_SCHEMA_ID}#`, description }) as const;

/** The errors every route with a token can answer before its handler runs. */
export const AUTH_ERRORS = {
  401: errorResponse('No usable Basic credentials (`WWW-Authenticate` names the realm)'),
  403: errorResponse('Wrong token'),
  429: errorResponse('Too many wrong tokens from this address; `Retry-After` says when to retry'),
} as const;

export const errorBody = (message: string) => ({ error: message });

/**
 * Fastify's own errors in the one shape: the router's (a malformed URL) and Node's HTTP parser's
 * (a malformed request, headers too large, a request too slow), which never reach the error handler.
 */
export const ERROR_SERVER_OPTIONS = {
  frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) =>
    reply.code(error.statusCode ?? 400).send(errorBody(error.message)),
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
    const reason = STATUS_CODES[status] ?? 'Bad Request';
    const body = JSON.stringify(errorBody(reason.toLowerCase()));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  },
};

/** Node's parser errors that are not a plain 400. */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_OVERFLOW: 431,
};

/** Errors thrown by routes and hooks, and unknown routes, answered in the one shape. */
export function answerErrors(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(errorBody('internal error'));
    }
    // Vigil answers an unusable Content-Type with 400, not 415.
    return reply.code(status === 415 ? 400 : status).send(errorBody(error.message));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(errorBody('not found')));
}
