import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTopology } from '../../src/model/topology.js';
import { JobList } from '../../src/scheduler/job-list.js';
import { MIXED_PROBES, testConfig } from '../helpers/config.js';

/** The mixed fixture (a poll node of two, a push, a local and a script node) and a poll node after them. */
const PROBES = `${MIXED_PROBES}
[[probe.service]]
id = "db"
label = "DB"
[[probe.service.node]]
id = "b"
label = "B"
mode = "poll"
replicas = ["https://127.0.0.1:3/b"]
`;

test('poll jobs are the poll replicas in config order, across services, each read by its index', () => {
  const jobs = new JobList(buildTopology(testConfig(PROBES)), 'poll');
  assert.equal(jobs.length, 3);
  assert.deepEqual([...jobs.indexes()], [0, 1, 2]);
  assert.deepEqual(
    [...jobs.indexes()].map((index) => jobs.ref(index)),
    [
      { serviceId: 'web', nodeId: 'api', replicaId: 'http://127.0.0.1:1/health' },
      { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://127.0.0.1:1' },
      { serviceId: 'db', nodeId: 'b', replicaId: 'https://127.0.0.1:3/b' },
    ],
  );
  assert.deepEqual(
    [...jobs.targets()].map((target) => target.kind),
    ['http', 'tcp', 'http'],
  );
  const last = jobs.target(2);
  assert.ok(last?.kind === 'http');
  assert.equal(last.url, 'https://127.0.0.1:3/b');
  assert.notEqual(last.tlsExpirySickDays, undefined);
});

test('an index that is no job has no ref and no target', () => {
  const jobs = new JobList(buildTopology(testConfig(PROBES)), 'poll');
  for (const index of [-1, 3, 1.5, Number.NaN]) {
    assert.equal(jobs.ref(index), undefined);
    assert.equal(jobs.target(index), undefined);
  }
});

test('script jobs are the script replicas; a mode without replicas has no jobs', () => {
  const topology = buildTopology(testConfig(PROBES));
  const scripts = new JobList(topology, 'script');
  assert.deepEqual(scripts.ref(0), { serviceId: 'internal', nodeId: 'jobs', replicaId: '0' });
  assert.equal(scripts.length, 1);
  const none = new JobList(
    buildTopology(
      testConfig(PROBES.replaceAll('mode = "poll"', 'mode = "push"').replace(/replicas = .*\n/g, '')),
    ),
    'poll',
  );
  assert.equal(none.length, 0);
  assert.deepEqual([...none.targets()], []);
  assert.equal(none.ref(0), undefined);
});
