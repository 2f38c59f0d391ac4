import type { MethodDefinition, ServiceError } from '@grpc/grpc-js';
import { Deadline } from './deadline.js';
import { describeError, ProbeFailure } from './errors.js';
import type { ProbeKind } from './types.js';
import { serviceUrlForm } from './url-parts.js';

/** grpc://HOST:PORT[/SERVICE]: grpc.health.v1.Health/Check; an empty service asks about the whole server. */
export interface GrpcTarget {
  kind: 'grpc';
  host: string;
  port: number;
  service: string;
}

/** grpc.health.v1.HealthCheckRequest: an empty service asks about the server as a whole. */
export interface HealthCheckRequest {
  service: string;
}

/** grpc.health.v1.HealthCheckResponse, its ServingStatus by name ("SERVING", "NOT_SERVING"…). */
export interface HealthCheckResponse {
  status: string;
}

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** The two messages of grpc/health/v1/health.proto, as a protobufjs JSON descriptor. */
const HEALTH_PROTO = {
  nested: {
    HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
    HealthCheckResponse: {
      fields: { status: { type: 'ServingStatus', id: 1 } },
      nested: {
        ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } },
      },
    },
  },
};

/**
 * Health/Check with its (de)serializers, both ways so a test server can use it too. protobufjs is
 * loaded on the first call: configurations without gRPC replicas never load it.
 */
export async function loadHealthCheckMethod(): Promise<
  MethodDefinition<HealthCheckRequest, HealthCheckResponse>
> {
  const { default: protobuf } = await import('protobufjs');
  const root = protobuf.Root.fromJSON(HEALTH_PROTO);
  const request = root.lookupType('HealthCheckRequest');
  const response = root.lookupType('HealthCheckResponse');
  const toObject = (type: typeof request, bytes: Buffer): Record<string, unknown> =>
    type.toObject(type.decode(bytes), { enums: String, defaults: true });
  return {
    path: HEALTH_CHECK_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value) => Buffer.from(request.encode(request.fromObject(value)).finish()),
    requestDeserialize: (bytes) => ({ service: String(toObject(request, bytes).service) }),
    responseSerialize: (value) => Buffer.from(response.encode(response.fromObject(value)).finish()),
    responseDeserialize: (bytes) => ({ status: String(toObject(response, bytes).status) }),
  };
}

/** `host:port`, with IPv6 literals bracketed as gRPC's target syntax needs. */
function authority(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A failed call in plain words; gRPC's own details for codes without a better name. */
function describeCallError(
  error: ServiceError,
  service: string,
  codes: typeof import('@grpc/grpc-js').status,
) {
  if (error.code === codes.NOT_FOUND) {
    return service ? `unknown service "${service}"` : 'the server reports no overall health (name a service)';
  }
  if (error.code === codes.UNIMPLEMENTED) return 'the server does not implement grpc.health.v1.Health';
  const refused = /ECONNREFUSED/.test(error.details);
  if (error.code === codes.UNAVAILABLE && refused) return 'connection refused';
  return `${codes[error.code] ?? `code ${error.code}`}: ${error.details}`;
}

/**
 * grpc://HOST:PORT[/SERVICE]: the standard health check (grpc.health.v1.Health/Check) over
 * plaintext HTTP/2. SERVING is healthy; NOT_SERVING, an unknown service or any failed call is dead.
 */
export const grpcProbe: ProbeKind<GrpcTarget> = {
  kind: 'grpc',
  url: serviceUrlForm('grpc', 'grpc://HOST:PORT[/SERVICE]', ({ host, port, user, password, path }, fail) => {
    if (user !== undefined || password !== undefined) {
      return fail('must not have credentials (gRPC health checks send none)');
    }
    return { ok: true, address: { kind: 'grpc', host, port, service: path ?? '' } };
  }),
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    try {
      const [grpc, method] = await deadline.race(
        Promise.all([import('@grpc/grpc-js'), loadHealthCheckMethod()]),
      );
      const client = new grpc.Client(authority(target.host, target.port), grpc.credentials.createInsecure());
      try {
        const response = await new Promise<HealthCheckResponse>((resolve, reject) => {
          const call = client.makeUnaryRequest(
            method.path,
            method.requestSerialize,
            method.responseDeserialize,
            { service: target.service },
            (error, value) => {
              stopWatching();
              if (error) reject(new ProbeFailure(describeCallError(error, target.service, grpc.status)));
              else if (value) resolve(value);
              else reject(new ProbeFailure('empty response'));
            },
          );
          const stopWatching = deadline.onAbort(() => {
            call.cancel();
            reject(deadline.reason);
          });
        });
        if (response.status !== 'SERVING') throw new ProbeFailure(response.status);
        return deadline.healthy();
      } finally {
        client.close();
      }
    } catch (error) {
      return deadline.dead(describeError(error));
    } finally {
      deadline.dispose();
    }
  },
};
