import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTopology } from '../../src/model/topology.js';
import { testConfig } from '../helpers/config.js';

const probes = (replicas: string[]) => `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ${JSON.stringify(replicas)}
`;

function replicasOf(replicas: string[]) {
  return buildTopology(testConfig(probes(replicas))).services[0]?.nodes[0]?.replicas ?? [];
}

test('poll replicas are named by their URL with its secrets masked; the target keeps them', () => {
  const [replica] = replicasOf(['https://probe:pw@example.com/health?api_key=k&x=1']);
  assert.equal(replica?.id, 'https://***@example.com/health?api_key=***&x=1');
  assert.ok(replica?.target.kind === 'http');
  assert.equal(replica.target.url, 'https://probe:pw@example.com/health?api_key=k&x=1');
});

test('URLs that differ only in their secrets stay distinct replicas', () => {
  const replicas = replicasOf([
    'https://a:1@example.com/',
    'https://b:2@example.com/',
    'https://a:1@example.com/',
    'tcp://127.0.0.1:22',
  ]);
  assert.deepEqual(
    replicas.map((replica) => replica.id),
    ['https://***@example.com/', 'https://***@example.com/ [2]', 'tcp://127.0.0.1:22'],
  );
});

test("a node's HTTP replicas share its headers (one object per node, not per replica) and keep their own URL", () => {
  const [first, second] = replicasOf(['http://127.0.0.1:8080/a', 'https://127.0.0.1:8443/b']);
  assert.ok(first?.target.kind === 'http' && second?.target.kind === 'http');
  assert.equal(first.target.headers, second.target.headers);
  assert.equal(first.target.headers.Accept, '*/*');
  assert.equal(first.target.url, 'http://127.0.0.1:8080/a');
  assert.equal(second.target.url, 'https://127.0.0.1:8443/b');
  assert.equal(first.target.tlsExpirySickDays, undefined);
  assert.notEqual(second.target.tlsExpirySickDays, undefined, 'https:// only: the certificate is checked');
});

test('nodes configured alike share one set of HTTP options; a node with its own headers keeps its own', () => {
  const node = (id: string, extra = '') =>
    `[[probe.service.node]]\nid = "${id}"\nlabel = "${id}"\nmode = "poll"\nreplicas = ["http://127.0.0.1:1/${id}"]\n${extra}`;
  const topology = buildTopology(
    testConfig(
      `[[probe.service]]\nid = "web"\nlabel = "Web"\n${node('a')}${node('b')}${node('c', 'http_headers = { Authorization = "Bearer x" }\n')}`,
    ),
  );
  const [a, b, c] = (topology.services[0]?.nodes ?? []).map((each) => each.replicas[0]?.target);
  assert.ok(a?.kind === 'http' && b?.kind === 'http' && c?.kind === 'http');
  assert.equal(a.headers, b.headers);
  assert.notEqual(a.headers, c.headers);
  assert.equal(c.headers.Authorization, 'Bearer x');
  assert.equal(a.headers.Authorization, undefined);
  assert.equal(b.url, 'http://127.0.0.1:1/b');
});
