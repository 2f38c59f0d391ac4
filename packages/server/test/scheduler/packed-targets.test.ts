import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTopology } from '../../src/model/topology.js';
import type { HttpTarget } from '../../src/probes/http.js';
import type { ProbeTarget } from '../../src/probes/index.js';
import { JobList } from '../../src/scheduler/job-list.js';
import {
  type PackedTargets,
  packedCount,
  packTargets,
  unpackTarget,
} from '../../src/scheduler/worker/packed-targets.js';
import { testConfig } from '../helpers/config.js';

/** A poll node of `replicas` with the HTTP options every node made by it shares. */
const alike = (id: string, replicas: string[]) => `
[[probe.service.node]]
id = "${id}"
label = "${id}"
mode = "poll"
replicas = ${JSON.stringify(replicas)}
http_headers = { Authorization = "Bearer x" }
http_body_healthy_match = "^ok"
`;

/** Two nodes configured alike (http and https), then one of every other kind and odd URLs. */
const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
${alike('a', ['http://127.0.0.1:1/a', 'https://127.0.0.1:2/a', 'http://127.0.0.1:3/a'])}
${alike('b', ['http://127.0.0.1:4/b', 'https://127.0.0.1:5/b'])}
[[probe.service.node]]
id = "c"
label = "C"
mode = "poll"
http_method = "POST"
http_body = "ping"
http_json_path = "status"
http_json_equals = "up"
replicas = [
  "tcp://127.0.0.1:6",
  "http://user:s%C3%A9cret@127.0.0.1:7/c",
  "icmp://127.0.0.1",
  "https://127.0.0.1:8/été/☃?q=ünï",
  "tls://127.0.0.1:9",
  "redis://:pass@127.0.0.1:10",
]
`;

/** What the prober thread gets: the packed targets through a structured clone. */
function cloned(packed: PackedTargets): PackedTargets {
  return structuredClone(packed);
}

function unpackAll(packed: PackedTargets): Array<ProbeTarget | undefined> {
  return Array.from({ length: packedCount(packed) }, (_, index) => unpackTarget(packed, index));
}

test('every target of a topology is made again equal to the original after the clone', () => {
  const jobs = new JobList(buildTopology(testConfig(PROBES)), 'poll');
  const original = [...jobs.targets()];
  const packed = cloned(packTargets(jobs.targets()));
  assert.equal(packedCount(packed), jobs.length);
  assert.deepEqual(unpackAll(packed), original);
  // The credentials stay in the target the prober checks.
  assert.deepEqual(
    original.filter((target) => target.kind === 'http').map((target) => target.url),
    [
      'http://127.0.0.1:1/a',
      'https://127.0.0.1:2/a',
      'http://127.0.0.1:3/a',
      'http://127.0.0.1:4/b',
      'https://127.0.0.1:5/b',
      'http://user:s%C3%A9cret@127.0.0.1:7/c',
      'https://127.0.0.1:8/%C3%A9t%C3%A9/%E2%98%83?q=%C3%BCn%C3%AF',
    ],
  );
});

test('replicas of a node, and nodes configured alike, share one template per scheme', () => {
  const jobs = new JobList(buildTopology(testConfig(PROBES)), 'poll');
  const packed = cloned(packTargets(jobs.targets()));
  const { templateOf } = packed;
  // a's and b's http replicas, then their https ones.
  assert.deepEqual([templateOf[0], templateOf[2], templateOf[3]], [0, 0, 0]);
  assert.deepEqual([templateOf[1], templateOf[4]], [1, 1]);
  // Two for a and b, two HTTP ones for c (http, https), one for each of c's other kinds.
  assert.equal(packed.templates.length, 8);
  assert.ok(packed.templateOf instanceof Uint8Array);
  const [first, last] = [unpackTarget(packed, 0), unpackTarget(packed, 4)];
  assert.ok(first?.kind === 'http' && last?.kind === 'http');
  assert.equal(first.headers, last.headers, 'the headers stay one object through the clone');
  assert.notEqual(first, unpackTarget(packed, 0), 'an HTTP target is made anew for each check');
});

test('any URL text comes back as it was, non-ASCII and astral characters included', () => {
  const options: Omit<HttpTarget, 'url'> = {
    kind: 'http',
    method: 'GET',
    headers: { Accept: '*/*' },
    statusHealthyAbove: 200,
    statusHealthyBelow: 400,
    cacheBuster: false,
  };
  const urls = [
    'http://127.0.0.1:1/é',
    'http://127.0.0.1:2/😀/x',
    'http://127.0.0.1:3/',
    'http://127.0.0.1:4/ß',
  ];
  const targets: ProbeTarget[] = urls.map((url) => ({ ...options, url }));
  assert.deepEqual(unpackAll(cloned(packTargets(targets))), targets);
});

test('past 256 distinct templates the index widens; an index that is no target has none', () => {
  const targets: ProbeTarget[] = Array.from({ length: 300 }, (_, index) => ({
    kind: 'tcp',
    host: '127.0.0.1',
    port: index + 1,
  }));
  const packed = cloned(packTargets(targets));
  assert.ok(packed.templateOf instanceof Uint16Array);
  assert.deepEqual(unpackAll(packed), targets);
  for (const index of [-1, 300, 1.5]) assert.equal(unpackTarget(packed, index), undefined);
  assert.equal(packedCount(cloned(packTargets([]))), 0);
});
