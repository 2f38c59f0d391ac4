import { HEALTH_STATES } from '../model/health.js';
import { compactProbeObservation, type ObservationOf } from '../model/observation.js';

/**
 * The compact form of the probe results a member shares in bulk (those that change nothing the
 * others show): one JSON array per result, `[service, node, replica, health index, latency ms, at
 * ms]` and the reason last when there is one, in an envelope naming the member and its vantage
 * once: `{"from": id, "vantage": v, "results": [...]}`. A third of the bytes of the full
 * observation, and read without a schema per result.
 */

/** The envelope's opening and closing text, around the comma-separated results. */
export function digestEnvelope(from: string, vantage: string | undefined): { head: string; tail: string } {
  const vantagePart = vantage === undefined ? '' : `,"vantage":${JSON.stringify(vantage)}`;
  return { head: `{"from":${JSON.stringify(from)}${vantagePart},"results":[`, tail: ']}' };
}

/** One result as digest text. */
export function digestEntry(observation: ObservationOf<'probe'>): string {
  const { serviceId, nodeId, replicaId } = observation.subject;
  const entry: Array<string | number> = [
    serviceId,
    nodeId,
    replicaId,
    HEALTH_STATES.indexOf(observation.health),
    observation.latencyMs,
    observation.atMs,
  ];
  if (observation.reason !== undefined) entry.push(observation.reason);
  return JSON.stringify(entry);
}

export interface Digest {
  from: string;
  vantage?: string;
  results: unknown[];
}

/** The digest's envelope; throws when the payload is not one. Its results are read one by one. */
export function parseDigest(payload: string): Digest {
  const value = JSON.parse(payload) as Partial<Record<keyof Digest, unknown>>;
  if (typeof value.from !== 'string') throw new Error('no "from" member id');
  if (value.vantage !== undefined && typeof value.vantage !== 'string')
    throw new Error('"vantage" is not a string');
  if (!Array.isArray(value.results)) throw new Error('no "results" list');
  return {
    from: value.from,
    results: value.results,
    ...(value.vantage !== undefined && { vantage: value.vantage }),
  };
}

/** One digest result as the probe observation it stands for; undefined when it is not one. */
export function digestObservation(
  entry: unknown,
  vantage: string | undefined,
): ObservationOf<'probe'> | undefined {
  if (!Array.isArray(entry) || entry.length < 6 || entry.length > 7) return undefined;
  const [serviceId, nodeId, replicaId, healthIndex, latencyMs, atMs, reason] = entry as unknown[];
  if (typeof serviceId !== 'string' || typeof nodeId !== 'string' || typeof replicaId !== 'string') {
    return undefined;
  }
  return compactProbeObservation(
    { serviceId, nodeId, replicaId },
    { healthIndex, latencyMs, atMs, reason, ...(vantage !== undefined && { vantage }) },
  );
}
