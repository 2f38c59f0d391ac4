import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SilenceJudge } from '../../src/model/health-model.js';
import type { ObservationOf } from '../../src/model/observation.js';
import { MIXED_PROBES } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor, testModel } from '../helpers/model.js';

/**
 * A cluster judges each push or local deadline once: the member that judges (the alert leader)
 * kills the replica at its deadline and tells the others a `silence` observation; the others wait
 * for it, and judge themselves only when none comes within the wait (the judge unreachable).
 */
const S = 1000;
const LOAD = { cpu: 0.1, ram: 0.1 };
const WAIT_MS = 20 * S;
const APP = { serviceId: 'web', nodeId: 'app', replicaId: 'worker' };
/** MIXED_PROBES' push node `web:app`: dead 30 s + push_delay_dead 20 s after its report. */
const DEAD_AFTER_MS = 50 * S;

function setup(judges: boolean) {
  const clock = new FakeClock();
  const model = testModel(MIXED_PROBES, clock);
  const judged: Array<ObservationOf<'silence'>> = [];
  const judge: SilenceJudge & { leading: boolean } = {
    leading: judges,
    judgesNow: () => judge.leading,
    judged: (observation) => judged.push(observation),
    verdictWaitMs: WAIT_MS,
  };
  model.judgeSilencesWith(judge);
  const observe = sourcesFor(model, clock);
  const replica = () => model.replica(APP);
  return { clock, model, judge, judged, observe, replica };
}

test('the judge kills a silent replica at its deadline and tells the verdict once', () => {
  const { clock, judged, observe, replica } = setup(true);
  const reportAtMs = clock.now();
  observe.push('web', 'app', 'worker', 30, LOAD);
  clock.advance(DEAD_AFTER_MS - 1);
  assert.equal(replica()?.health, 'healthy');
  clock.advance(1);
  assert.equal(replica()?.health, 'dead');
  assert.equal(replica()?.reason, 'no report for 50 s (interval 30 s + push_delay_dead 20 s)');
  assert.deepEqual(judged, [
    { kind: 'silence', subject: APP, atMs: reportAtMs + DEAD_AFTER_MS, reportAtMs, intervalSeconds: 30 },
  ]);
  clock.advance(10 * WAIT_MS);
  assert.equal(judged.length, 1);
});

test('another member waits for the verdict: alive past its deadline, dead when it comes, judged nothing', () => {
  const { clock, model, judged, observe, replica } = setup(false);
  const reportAtMs = clock.now();
  observe.push('web', 'app', 'worker', 30, LOAD);
  clock.advance(DEAD_AFTER_MS + WAIT_MS / 2);
  assert.equal(replica()?.health, 'healthy');
  // A queue verdict judges the push replica again: still not dead of silence here.
  observe.queue('web', 'app', { loaded: false, stalled: false });
  assert.equal(replica()?.health, 'healthy');
  const verdict = {
    kind: 'silence',
    subject: APP,
    atMs: clock.now(),
    reportAtMs,
    intervalSeconds: 30,
  } as const;
  assert.equal(model.apply(verdict), 'ok');
  assert.equal(replica()?.health, 'dead');
  assert.equal(replica()?.reason, 'no report for 50 s (interval 30 s + push_delay_dead 20 s)');
  // Dead by the verdict: a later queue verdict does not bring it back, nor does the wait's end.
  observe.queue('web', 'app', { loaded: false, stalled: false });
  clock.advance(WAIT_MS);
  assert.equal(replica()?.health, 'dead');
  assert.deepEqual(judged, []);
  // The same verdict again changes nothing.
  assert.equal(model.apply(verdict), 'ok');
  assert.equal(replica()?.health, 'dead');
});

test('no verdict within the wait: the member judges itself and tells it', () => {
  const { clock, judged, observe, replica } = setup(false);
  observe.push('web', 'app', 'worker', 30, LOAD);
  clock.advance(DEAD_AFTER_MS + WAIT_MS - 1);
  assert.equal(replica()?.health, 'healthy');
  clock.advance(1);
  assert.equal(replica()?.health, 'dead');
  assert.equal(judged.length, 1);
});

test('becoming the judge: the replicas waiting for a verdict are judged at once', () => {
  const { clock, model, judge, judged, observe, replica } = setup(false);
  observe.push('web', 'app', 'worker', 30, LOAD);
  observe.push('web', 'app', 'later', 60, LOAD);
  clock.advance(DEAD_AFTER_MS + S);
  judge.leading = true;
  model.judgeOverdue();
  assert.equal(replica()?.health, 'dead');
  // Not past its deadline yet: left to its own deadline, which this member now judges.
  assert.equal(model.replica({ ...APP, replicaId: 'later' })?.health, 'healthy');
  assert.deepEqual(
    judged.map((each) => each.subject.replicaId),
    ['worker'],
  );
  clock.advance(30 * S);
  assert.equal(model.replica({ ...APP, replicaId: 'later' })?.health, 'dead');
  assert.equal(judged.length, 2);
});

test('a verdict judged from an older report than this member took is stale: the replica lives on', () => {
  const { clock, model, observe, replica } = setup(false);
  const firstAtMs = clock.now();
  observe.push('web', 'app', 'worker', 30, LOAD);
  clock.advance(30 * S);
  // The judge missed this report.
  observe.push('web', 'app', 'worker', 30, LOAD);
  clock.advance(25 * S);
  assert.equal(
    model.apply({
      kind: 'silence',
      subject: APP,
      atMs: clock.now(),
      reportAtMs: firstAtMs,
      intervalSeconds: 30,
    }),
    'stale',
  );
  assert.equal(replica()?.health, 'healthy');
  // A report it did not take yet: the judge's word stands.
  assert.equal(
    model.apply({
      kind: 'silence',
      subject: APP,
      atMs: clock.now(),
      reportAtMs: clock.now() - S,
      intervalSeconds: 30,
    }),
    'ok',
  );
  assert.equal(replica()?.health, 'dead');
  // A report after the silence brings it back, as on the judge.
  observe.push('web', 'app', 'worker', 30, LOAD);
  assert.equal(replica()?.health, 'healthy');
});

test('a local replica dead by the verdict reports dead, like one this member judged', () => {
  const { clock, model, observe } = setup(false);
  const reportAtMs = clock.now();
  observe.local('internal', 'gateway', 'host-1', 30, 'healthy');
  const ref = { serviceId: 'internal', nodeId: 'gateway', replicaId: 'host-1' };
  clock.advance(75 * S);
  assert.equal(model.replica(ref)?.health, 'healthy');
  assert.equal(
    model.apply({ kind: 'silence', subject: ref, atMs: clock.now(), reportAtMs, intervalSeconds: 30 }),
    'ok',
  );
  assert.equal(model.replica(ref)?.health, 'dead');
  assert.equal(model.replica(ref)?.reportedHealth, 'dead');
  assert.equal(model.replica(ref)?.reason, 'no report for 70 s (interval 30 s + local_delay_dead 40 s)');
});

test('a verdict for a poll replica, or one this member never heard of, changes nothing', () => {
  const { clock, model } = setup(false);
  const verdict = (subject: typeof APP) =>
    model.apply({
      kind: 'silence',
      subject,
      atMs: clock.now(),
      reportAtMs: clock.now(),
      intervalSeconds: 30,
    });
  assert.equal(
    verdict({ serviceId: 'web', nodeId: 'api', replicaId: 'http://127.0.0.1:1/health' }),
    'wrong-mode',
  );
  assert.equal(verdict(APP), 'not-found');
});
