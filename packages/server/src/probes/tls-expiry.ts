import type { TLSSocket } from 'node:tls';
import { type Clock, systemClock } from '../time/clock.js';
import type { Deadline } from './deadline.js';
import type { ProbeResult } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** When the peer certificate of a TLS connection stops being valid, in ms since the epoch. */
export function peerCertificateExpiryMs(socket: TLSSocket): number | undefined {
  // Undefined when the peer sent no certificate (never so once a verified handshake succeeded).
  const validTo = socket.getPeerX509Certificate()?.validTo;
  if (validTo === undefined) return undefined;
  const expiryMs = Date.parse(validTo);
  return Number.isNaN(expiryMs) ? undefined : expiryMs;
}

function daysText(days: number): string {
  if (days === 0) return 'less than a day';
  return days === 1 ? '1 day' : `${days} days`;
}

/**
 * Judges a certificate that passed the handshake: dead once expired by `nowMs` (the handshake
 * checked the system time, the prober's clock may be ahead), sick when fewer than `sickDays` whole
 * days are left (0 turns this off), otherwise nothing to say.
 */
export function judgeCertificateExpiry(
  expiryMs: number,
  nowMs: number,
  sickDays: number,
): Pick<ProbeResult, 'health' | 'reason'> | undefined {
  const leftMs = expiryMs - nowMs;
  if (leftMs <= 0) {
    return { health: 'dead', reason: `TLS: certificate expired on ${new Date(expiryMs).toISOString()}` };
  }
  const daysLeft = Math.floor(leftMs / DAY_MS);
  if (sickDays === 0 || daysLeft >= sickDays) return undefined;
  return { health: 'sick', reason: `TLS: certificate expires in ${daysText(daysLeft)}` };
}

/** The result of a check that passed, unless its certificate's expiry makes it sick or dead. */
export function resultAfterExpiry(
  deadline: Deadline,
  expiryMs: number | undefined,
  clock: Clock | undefined,
  sickDays: number | undefined,
): ProbeResult {
  if (expiryMs === undefined) return deadline.healthy();
  const verdict = judgeCertificateExpiry(expiryMs, (clock ?? systemClock).now(), sickDays ?? 0);
  return verdict ? { ...verdict, latencyMs: deadline.elapsedMs() } : deadline.healthy();
}
