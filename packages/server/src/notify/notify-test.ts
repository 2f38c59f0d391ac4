import { randomUUID } from 'node:crypto';
import type { BrandingConfig, NotifyConfig } from '../config/schema.js';
import { type Clock, systemClock } from '../time/clock.js';
import { ATTEMPT_TIMEOUT_MS, attemptSend, describeError } from './delivery.js';
import { alertPage } from './dispatcher.js';
import { buildChannels } from './registry.js';
import type { Alert, TargetId } from './types.js';

export interface NotifyTestOutcome {
  /** The target tried: `slack`, or `slack#ops` for an entry of a `[[notify.slack]]` array. */
  channel: TargetId;
  durationMs: number;
  /** Why the attempt failed; absent on success. */
  error?: string;
}

/** A drill alert: it looks like an outage so every part of a message shows, and says it is a test. */
function testAlert(branding: BrandingConfig, nowMs: number): Alert {
  const replica = 'vigil:notify-test:test-replica';
  return {
    id: randomUUID(),
    kind: 'changed',
    status: 'dead',
    replicas: [replica],
    atMs: nowMs,
    page: alertPage(branding),
    test: true,
    reasons: { [replica]: 'a drill sent by vigil notify-test' },
  };
}

/**
 * `vigil notify-test`: one attempt per configured target (or only `only`: a channel's name for all
 * its targets, or one target's id), all at once, each within the per-attempt timeout.
 * `reminders_only` is ignored: the point is to reach every target.
 */
export async function runNotifyTest(
  settings: { notify?: NotifyConfig; branding: BrandingConfig },
  options: { only?: string; clock?: Clock; timeoutMs?: number } = {},
): Promise<NotifyTestOutcome[]> {
  const { clock = systemClock, timeoutMs = ATTEMPT_TIMEOUT_MS } = options;
  if (!settings.notify) throw new Error('the configuration has no [notify] section');
  const configured = buildChannels(settings.notify, { timeoutMs });
  const targets = configured.filter(
    ({ target, channel }) =>
      options.only === undefined || channel.name === options.only || target === options.only,
  );
  if (targets.length === 0) {
    const names = configured.map(({ target }) => target).join(', ') || 'none';
    throw new Error(
      options.only === undefined
        ? 'no [notify.<channel>] table is configured'
        : `no ${options.only.includes('#') ? `target ${options.only}` : `[notify.${options.only}] table`} is configured (configured: ${names})`,
    );
  }
  const alert = testAlert(settings.branding, clock.now());
  return Promise.all(
    targets.map(async ({ target, channel }): Promise<NotifyTestOutcome> => {
      const startedAt = performance.now();
      const error = await attemptSend(channel, alert, { clock, timeoutMs }).then(
        () => undefined,
        describeError,
      );
      const durationMs = Math.round(performance.now() - startedAt);
      return { channel: target, durationMs, ...(error !== undefined && { error }) };
    }),
  );
}
