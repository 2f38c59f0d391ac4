import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkWithRetries, type RetryPolicy } from '../../src/probes/attempt.js';
import type { Probe, ProbeContext, ProbeResult, ProbeTarget } from '../../src/probes/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { running } from './loopback.js';

const policy: RetryPolicy = { retries: 2, retryWaitMs: 1000, timeoutMs: 10_000, sickLatencyMs: 5000 };
const tcp: ProbeTarget = { kind: 'tcp', host: '127.0.0.1', port: 22 };
const script: ProbeTarget = { kind: 'script', source: 'exit 0' };

const dead = (latencyMs: number): ProbeResult => ({
  health: 'dead',
  latencyMs,
  reason: 'connection refused',
});
const healthy = (latencyMs: number): ProbeResult => ({ health: 'healthy', latencyMs });

/** A probe that answers the given results in turn and records each call's context. */
function scripted(...results: ProbeResult[]) {
  const contexts: ProbeContext[] = [];
  const probe: Probe = {
    kind: 'tcp',
    check: async (_, context) => {
      contexts.push(context);
      const result = results[Math.min(contexts.length, results.length) - 1];
      if (!result) throw new Error('no result scripted');
      return result;
    },
  };
  return { probe, contexts };
}

/** Lets pending promise callbacks run, so the retry loop reaches its next sleep. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('checkWithRetries', () => {
  test('a healthy first attempt runs at once, with no wait before it', async () => {
    const clock = new FakeClock(0);
    const { probe, contexts } = scripted(healthy(12));
    const result = await checkWithRetries(probe, tcp, policy, { clock, signal: running });
    assert.deepEqual(result, healthy(12));
    assert.equal(contexts.length, 1);
    assert.equal(contexts[0]?.timeoutMs, 10_000);
    assert.equal(clock.pendingTimers, 0);
  });

  test('dead is retried after retryWaitMs, and the first non-dead result wins', async () => {
    const clock = new FakeClock(0);
    const { probe, contexts } = scripted(dead(3), healthy(40));
    const pending = checkWithRetries(probe, tcp, policy, { clock, signal: running });
    await settle();
    assert.equal(contexts.length, 1);
    clock.advance(999);
    await settle();
    assert.equal(contexts.length, 1);
    clock.advance(1);
    assert.deepEqual(await pending, healthy(40));
    assert.equal(contexts.length, 2);
  });

  test('dead is retried exactly `retries` times, keeping the last latency', async () => {
    const clock = new FakeClock(0);
    const { probe, contexts } = scripted(dead(1), dead(2), dead(3), healthy(4));
    const pending = checkWithRetries(probe, tcp, policy, { clock, signal: running });
    for (let i = 0; i < 3; i++) {
      await settle();
      clock.advance(policy.retryWaitMs);
    }
    assert.deepEqual(await pending, dead(3));
    assert.equal(contexts.length, 3);
    assert.equal(clock.pendingTimers, 0);
  });

  test('retries = 0 means a single attempt', async () => {
    const { probe, contexts } = scripted(dead(1), healthy(2));
    const result = await checkWithRetries(
      probe,
      tcp,
      { ...policy, retries: 0 },
      {
        clock: new FakeClock(0),
        signal: running,
      },
    );
    assert.deepEqual(result, dead(1));
    assert.equal(contexts.length, 1);
  });

  test('sick is not retried', async () => {
    const sick: ProbeResult = { health: 'sick', latencyMs: 7, reason: 'exit 1' };
    const { probe, contexts } = scripted(sick, healthy(1));
    const result = await checkWithRetries(probe, tcp, policy, { clock: new FakeClock(0), signal: running });
    assert.deepEqual(result, sick);
    assert.equal(contexts.length, 1);
  });

  test('a healthy but slow attempt is sick from sickLatencyMs on', async () => {
    const options = { clock: new FakeClock(0), signal: running };
    const slow = await checkWithRetries(scripted(healthy(5123)).probe, tcp, policy, options);
    assert.deepEqual(slow, { health: 'sick', latencyMs: 5123, reason: 'slow: 5123 ms (sick at 5 s)' });
    const atThreshold = await checkWithRetries(scripted(healthy(5000)).probe, tcp, policy, options);
    assert.equal(atThreshold.health, 'sick');
    const justBelow = await checkWithRetries(scripted(healthy(4999)).probe, tcp, policy, options);
    assert.deepEqual(justBelow, healthy(4999));
  });

  test('a slow dead attempt stays dead', async () => {
    const { probe } = scripted(dead(9000));
    const result = await checkWithRetries(
      probe,
      tcp,
      { ...policy, retries: 0 },
      {
        clock: new FakeClock(0),
        signal: running,
      },
    );
    assert.deepEqual(result, dead(9000));
  });

  test('scripts get one attempt and no latency rule', async () => {
    const options = { clock: new FakeClock(0), signal: running };
    const failing = scripted(dead(1), healthy(2));
    assert.deepEqual(await checkWithRetries(failing.probe, script, policy, options), dead(1));
    assert.equal(failing.contexts.length, 1);
    const slow = scripted(healthy(60_000));
    assert.deepEqual(await checkWithRetries(slow.probe, script, policy, options), healthy(60_000));
  });

  test('a shutdown during the wait returns the last result instead of throwing', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const { probe, contexts } = scripted(dead(5));
    const pending = checkWithRetries(probe, tcp, policy, { clock, signal: controller.signal });
    await settle();
    controller.abort(new Error('stopping'));
    assert.deepEqual(await pending, dead(5));
    assert.equal(contexts.length, 1);
    assert.equal(contexts[0]?.signal, controller.signal);
    assert.equal(clock.pendingTimers, 0);
  });
});
