import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeartbeatCaller } from '../../src/cluster/heartbeat-url.js';
import type { Leadership } from '../../src/cluster/membership.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** The dead man's switch: called only while leading, every interval; failures logged once, by origin. */

let capture: CaptureServer;
before(async () => {
  capture = await startCaptureServer();
});
after(() => capture.close());

/** A membership the test hands the leadership to and takes it from. */
function leadershipSwitch() {
  const listeners = new Set<(leadership: Leadership | undefined) => void>();
  let held: Leadership | undefined;
  return {
    membership: {
      get leadership() {
        return held;
      },
      holds: (token: number) => held?.token === token,
      onLeadership(listener: (leadership: Leadership | undefined) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    set(next: Leadership | undefined) {
      held = next;
      for (const listener of listeners) listener(next);
    },
  };
}

test('GET every interval while leading, nothing otherwise; a failing switch is logged once, without its path', async () => {
  const clock = new FakeClock();
  const warnings: string[] = [];
  const infos: string[] = [];
  const leader = leadershipSwitch();
  const caller = new HeartbeatCaller({
    membership: leader.membership,
    url: `${capture.url}/ping/secret-uuid`,
    intervalMs: 60_000,
    clock,
    logger: {
      info: (line: unknown) => infos.push(String(line)),
      warn: (line: unknown) => warnings.push(String(line)),
    },
  });
  caller.start();
  const calls = async (advanceMs: number) => {
    clock.advance(advanceMs);
    await sleep(200);
    return capture.requests.length;
  };
  assert.equal(await calls(120_000), 0, 'a follower calls nothing');

  leader.set({ token: 1, validUntilMs: Number.POSITIVE_INFINITY });
  assert.equal(await calls(0), 1, 'at once when it leads');
  assert.equal(await calls(60_000), 2);
  assert.deepEqual(
    capture.requests.map((request) => [request.method, request.path]),
    [
      ['GET', '/ping/secret-uuid'],
      ['GET', '/ping/secret-uuid'],
    ],
  );

  capture.reply({ status: 500 });
  assert.equal(await calls(60_000), 3);
  assert.equal(await calls(60_000), 4);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /heartbeat_url at http:\/\/127\.0\.0\.1:\d+ failed: HTTP 500/);
  assert.doesNotMatch(warnings[0] ?? '', /secret-uuid/);
  capture.reply({ status: 200 });
  assert.equal(await calls(60_000), 5);
  assert.equal(infos.length, 1);

  leader.set(undefined);
  assert.equal(await calls(180_000), 5, 'no call once the leadership is gone');
  caller.stop();
});
