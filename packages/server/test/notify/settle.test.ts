import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTopology } from '../../src/model/topology.js';
import { whenFirstChecked } from '../../src/notify/settle.js';
import { MIXED_PROBES, testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { MODEL_SETTINGS, testModel } from '../helpers/model.js';

const API = { serviceId: 'web', nodeId: 'api' };
const HTTP = { ...API, replicaId: 'http://127.0.0.1:1/health' };
const TCP = { ...API, replicaId: 'tcp://127.0.0.1:1' };
const SCRIPT = { serviceId: 'internal', nodeId: 'jobs', replicaId: '0' };

function setup() {
  const clock = new FakeClock();
  const model = testModel(MIXED_PROBES, clock);
  let settled = 0;
  whenFirstChecked(model, () => settled++);
  const probe = (subject: typeof HTTP) =>
    model.apply({ kind: 'probe', subject, atMs: clock.now(), health: 'healthy', latencyMs: 1 });
  return { model, probe, settled: () => settled };
}

test('settles once every poll and script replica was checked, not before', () => {
  const { probe, settled } = setup();
  probe(TCP);
  probe(SCRIPT);
  assert.equal(settled(), 0);
  probe(HTTP);
  assert.equal(settled(), 1);
  probe(HTTP);
  assert.equal(settled(), 1);
});

test('a replica a reload removed before its first check is not waited for', () => {
  const { model, probe, settled } = setup();
  probe(HTTP);
  probe(SCRIPT);
  assert.equal(settled(), 0);
  const withoutTcp = MIXED_PROBES.replace('"tcp://127.0.0.1:1"', '"http://127.0.0.1:2/health"');
  model.reconfigure(buildTopology(testConfig(withoutTcp)), MODEL_SETTINGS);
  // Only the replicas configured at boot are waited for: the one the reload added is not.
  assert.equal(settled(), 1);
});
