import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/index.js';
import { buildTopology } from '../../src/model/topology.js';
import type { HttpTarget } from '../../src/probes/http.js';
import { testConfig } from '../helpers/config.js';
import { editConfig, errorsOf, FILE } from './minimal-config.js';

/** The minimal config with `keys` added to its poll node. */
const withNodeKeys = (keys: string) => editConfig('mode = "poll"', `mode = "poll"\n${keys}`);

const brokenConfigs: Array<{ keys: string; expected: RegExp }> = [
  {
    keys: 'http_json_equals = "ok"',
    expected: /node\[0\]\.http_json_equals \(service "web", node "router"\): needs http_json_path/,
  },
  {
    keys: 'http_json_matches = "^ok"',
    expected: /node\[0\]\.http_json_matches .*: needs http_json_path/,
  },
  {
    keys: 'http_json_path = "status"\nhttp_json_equals = "ok"\nhttp_json_matches = "ok"',
    expected: /node\[0\]\.http_json_matches .*: cannot be combined with http_json_equals/,
  },
  {
    keys: 'http_json_path = "status"\nhttp_json_matches = "(unclosed"',
    expected: /node\[0\]\.http_json_matches .*invalid regular expression \/\(unclosed\//,
  },
  {
    keys: 'http_json_path = "checks..state"',
    expected: /node\[0\]\.http_json_path .*: must be keys separated by single dots/,
  },
  {
    keys: 'http_json_path = ""',
    expected: /node\[0\]\.http_json_path /,
  },
  {
    keys: 'http_json_path = "status"\nhttp_method = "HEAD"',
    expected: /node\[0\]\.http_json_path .*: needs a response body, and http_method = "HEAD" gets none/,
  },
  {
    keys: 'http_header_matches = "yes"',
    expected: /node\[0\]\.http_header_matches .*: needs http_header_present/,
  },
  {
    keys: 'http_header_present = "X Ready"',
    expected: /node\[0\]\.http_header_present .*: invalid HTTP header name/,
  },
  {
    keys: 'http_header_present = "X-Ready"\nhttp_header_matches = "(?x) yes"',
    expected: /node\[0\]\.http_header_matches .*\(\?x\) verbose mode is not supported/,
  },
];

for (const { keys, expected } of brokenConfigs) {
  test(`refused, naming the key: ${keys.replaceAll('\n', '; ')}`, () => {
    const errors = errorsOf(withNodeKeys(keys));
    assert.ok(
      errors.some((message) => expected.test(message) && message.startsWith(`${FILE}: `)),
      errors.join('\n'),
    );
  });
}

test('poll_tls_expiry_sick_days must be a whole number of days from 0', () => {
  const errors = errorsOf(editConfig('[metrics]', '[metrics]\npoll_tls_expiry_sick_days = -1'));
  assert.deepEqual(errors, [
    `${FILE}: metrics.poll_tls_expiry_sick_days: must be an integer from 0 to 3650, got -1`,
  ]);
});

test('the new keys load without warnings', () => {
  const text = withNodeKeys(
    'http_json_path = "checks.0.state"\nhttp_json_matches = "^ok"\nhttp_header_present = "X-Ready"\nhttp_header_matches = "yes"',
  ).replace('[metrics]', '[metrics]\npoll_tls_expiry_sick_days = 14');
  const { warnings } = parseConfigText(text, FILE, { env: {} });
  assert.deepEqual(warnings, []);
});

const httpNode = (keys: string) => `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["https://127.0.0.1:8443/health", "http://127.0.0.1:8080/health"]
${keys}
`;

function httpTargets(keys: string, metrics = ''): HttpTarget[] {
  const replicas = buildTopology(testConfig(httpNode(keys), metrics)).services[0]?.nodes[0]?.replicas ?? [];
  return replicas.flatMap(({ target }) => (target.kind === 'http' ? [target] : []));
}

test('the topology carries the assertions; a JSON check makes GET the default method', () => {
  const [https, http] = httpTargets(
    'http_json_path = "status"\nhttp_json_equals = "ok"\nhttp_header_present = "X-Ready"\nhttp_header_matches = "(?i)^yes$"',
  );
  for (const target of [https, http]) {
    assert.equal(target?.method, 'GET');
    assert.deepEqual(target?.jsonAssertion, { path: 'status', equals: 'ok' });
    assert.equal(target?.headerAssertion?.name, 'X-Ready');
    assert.equal(target?.headerAssertion?.matches?.test('YES'), true);
  }
  const [headerOnly] = httpTargets('http_header_present = "X-Ready"');
  assert.equal(headerOnly?.method, 'HEAD');
  assert.equal(headerOnly?.jsonAssertion, undefined);
  const [matching] = httpTargets('http_json_path = "status"\nhttp_json_matches = "^o"');
  assert.equal(matching?.jsonAssertion?.matches?.test('ok'), true);
});

test('the expiry threshold reaches https:// targets only, 0 by default', () => {
  const [https, http] = httpTargets('', 'poll_tls_expiry_sick_days = 21');
  assert.equal(https?.tlsExpirySickDays, 21);
  assert.equal(http?.tlsExpirySickDays, undefined);
  assert.equal(httpTargets('')[0]?.tlsExpirySickDays, 0);
});
