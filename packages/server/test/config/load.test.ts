// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are the subject of several tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  configuredReplicaCount,
  loadConfigFile,
  parseConfigText,
  summarizeConfig,
} from '../../src/config/index.js';
import { editConfig, FILE, FIXTURE_PATH, MINIMAL_CONFIG } from './minimal-config.js';

function warningsOf(text: string): string[] {
  return parseConfigText(text, FILE, { env: {} }).warnings;
}

test("a config setting every key of Vigil's sample loads without errors or warnings", () => {
  const { path, config, warnings } = loadConfigFile(FIXTURE_PATH, { env: {} });
  assert.equal(path, FIXTURE_PATH);
  assert.deepEqual(warnings, []);
  assert.equal(config.server.log_level, 'debug');
  assert.equal(config.server.inet, '[::1]:8080');
  assert.equal(config.server.mcp_server, true);
  assert.equal(config.branding.custom_html, '<!-- analytics off in tests -->');
  assert.equal(config.metrics.push_system_cpu_sick_above, 0.85);
  assert.equal(config.metrics.local_delay_dead, 45);
  assert.equal(config.notify?.reminder_backoff_function, 'square');
  assert.equal(config.notify?.reminder_escalate, true);
  assert.equal(config.plugins?.rabbitmq?.queue_loaded_retry_delay, 600);
  const [edge, apps, , partners] = config.probe.service;
  assert.equal(edge?.node[3]?.http_body_healthy_match, '^ok');
  assert.equal(apps?.node[0]?.reveal_replica_name, true);
  assert.equal(apps?.node[0]?.rabbitmq_queue_nack_dead_above, 800);
  assert.equal(partners?.node[0]?.link_label, 'Feed details');
  // A multi-line literal string keeps its lines.
  assert.match(partners?.node[0]?.scripts?.[0] ?? '', /\n {2}if \[ "\$feed_state" = "fresh" \]; then\n/);
});

test('defaults fill the keys the complete config leaves out', () => {
  const { config } = loadConfigFile(FIXTURE_PATH, { env: {} });
  assert.equal(config.metrics.script_timeout, 60);
  const gateway = config.probe.service[0]?.node[0];
  assert.deepEqual(gateway?.http_headers, {});
  assert.equal(gateway?.reveal_replica_name, false);
  assert.equal(gateway?.http_method, undefined);
});

test('defaults of a minimal config are Vigil defaults, with the documented 0.90 push thresholds', () => {
  const { config } = parseConfigText(MINIMAL_CONFIG, FILE, { env: {} });
  assert.equal(config.server.inet, '[::1]:8080');
  assert.equal(config.server.log_level, 'error');
  assert.equal(config.metrics.push_system_cpu_sick_above, 0.9);
  assert.equal(config.metrics.push_system_ram_sick_above, 0.9);
  assert.equal(config.metrics.poll_parallelism, 4);
  assert.equal(config.metrics.reported_replicas_max, 1000);
  assert.equal(config.branding.page_title, 'Status Page');
  assert.equal(config.notify, undefined);
});

test('placeholders are filled from the environment before parsing', () => {
  const text = editConfig('"manager-secret"', '"${VIGIL_MANAGER_TOKEN}"');
  const { config } = parseConfigText(text, FILE, { env: { VIGIL_MANAGER_TOKEN: 'p$${a}{s}', a: 'no' } });
  assert.equal(config.server.manager_token, 'p$${a}{s}');
});

test('an unset variable in a value is an error naming the file, line, key and variable', () => {
  const text = editConfig('"manager-secret"', '"${VIGIL_MANAGER_TOKEN}"');
  const line = text.split('\n').findIndex((entry) => entry.includes('VIGIL_MANAGER_TOKEN')) + 1;
  assert.throws(() => parseConfigText(text, FILE, { env: {} }), {
    name: 'ConfigError',
    message:
      `${FILE}:${line}: server.manager_token: \${VIGIL_MANAGER_TOKEN} names an environment variable that is ` +
      'not set; set it, or give a default as in ${VIGIL_MANAGER_TOKEN:-value}',
  });
});

test('${NAME:-default} fills a value when the variable is unset', () => {
  const text = editConfig('[server]', '[server]\nlog_level = "${VIGIL_LOG_LEVEL:-info}"');
  assert.equal(parseConfigText(text, FILE, { env: {} }).config.server.log_level, 'info');
  const { config } = parseConfigText(text, FILE, { env: { VIGIL_LOG_LEVEL: 'debug' } });
  assert.equal(config.server.log_level, 'debug');
});

test('an unknown key is a warning naming it, not an error', () => {
  const warnings = warningsOf(editConfig('[metrics]', '[metrics]\npoll_intervall = 60'));
  assert.deepEqual(warnings, [
    `${FILE}: unknown key "metrics.poll_intervall" is ignored: Vigil ignores it too`,
  ]);
});

test('a metric set on a node is a warning pointing at [metrics] and upstream issue #98', () => {
  const warnings = warningsOf(
    editConfig('mode = "poll"', 'mode = "poll"\npoll_http_status_healthy_above = 200'),
  );
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] ?? '',
    /^test\.cfg: unknown key "probe\.service\[0\]\.node\[0\]\.poll_http_status_healthy_above" \(service "web", node "router"\) is ignored: metrics are global, set it under \[metrics\] .*#98/,
  );
});

test('http_headers take any valid header name without warnings', () => {
  const text = editConfig(
    'mode = "poll"',
    'mode = "poll"\nhttp_headers = { Authorization = "Bearer x", "X-Custom" = "1" }',
  );
  const { config, warnings } = parseConfigText(text, FILE, { env: {} });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.probe.service[0]?.node[0]?.http_headers, {
    Authorization: 'Bearer x',
    'X-Custom': '1',
  });
});

test('poll_delay_sick not below poll_delay_dead is a warning', () => {
  const warnings = warningsOf(
    editConfig('[metrics]', '[metrics]\npoll_delay_sick = 10\npoll_delay_dead = 10'),
  );
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] ?? '',
    /^test\.cfg: metrics\.poll_delay_sick: 10 s is not below poll_delay_dead \(10 s\)/,
  );
});

test('poll_quorum above 1 without [cluster] is a warning', () => {
  const warnings = warningsOf(editConfig('[metrics]', '[metrics]\npoll_quorum = 2'));
  assert.deepEqual(warnings, [
    'test.cfg: metrics.poll_quorum: 2 has no effect without [cluster]: a single instance probes from one vantage',
  ]);
});

test('a repeated replica URL is a warning and counts once', () => {
  const text = editConfig(
    '"tcp://edge.example.com:80"]',
    '"tcp://edge.example.com:80", "icmp://edge.example.com"]',
  );
  const { config, warnings } = parseConfigText(text, FILE, { env: {} });
  assert.deepEqual(warnings, [
    `${FILE}: probe.service[0].node[0].replicas[2] (service "web", node "router"): repeats replicas[0]; both count as one replica, as in Vigil`,
  ]);
  assert.deepEqual(config.probe.service[0]?.node[0]?.replicas, [
    'icmp://edge.example.com',
    'tcp://edge.example.com:80',
  ]);
});

test('a poll node without replicas and a script node without scripts are warnings', () => {
  const withoutReplicas = editConfig(
    'replicas = ["icmp://edge.example.com", "tcp://edge.example.com:80"]\n',
    '',
  );
  const warnings = warningsOf(editConfig('scripts = ["exit 0"]', 'scripts = []', withoutReplicas));
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /node\[0\] \(service "web", node "router"\): poll node has no replicas/);
  assert.match(warnings[1] ?? '', /node\[2\] \(service "web", node "job"\): script node has no scripts/);
});

test('assets.path is never an error; only a non-Vigil path gets a warning', () => {
  for (const path of ['./res/assets/', '/etc/vigil/assets/', '/etc/vigil/assets']) {
    assert.deepEqual(warningsOf(editConfig('[assets]', `[assets]\npath = "${path}"`)), [], path);
  }
  assert.deepEqual(warningsOf(editConfig('[assets]\n', '')), []);
  const [warning] = warningsOf(editConfig('[assets]', '[assets]\npath = "/no/such/folder/"'));
  assert.match(
    warning ?? '',
    /^test\.cfg: assets\.path: "\/no\/such\/folder\/" is accepted and ignored: .*branding\.custom_html/,
  );
});

test('the configured replica count is the poll and script replicas, duplicates collapsed', () => {
  const { config } = loadConfigFile(FIXTURE_PATH, { env: {} });
  assert.equal(configuredReplicaCount(config), 7);
  const doubled = parseConfigText(
    editConfig('mode = "push"', 'mode = "poll"\nreplicas = ["tcp://a:1", "tcp://a:1", "tcp://b:2"]'),
    FILE,
    { env: {} },
  );
  assert.equal(configuredReplicaCount(doubled.config), 5);
});

test('the summary counts services, nodes by mode and replicas by kind on one line', () => {
  const { config } = loadConfigFile(FIXTURE_PATH, { env: {} });
  assert.equal(
    summarizeConfig(config),
    '4 services, 7 nodes (4 poll, 1 push, 1 script, 1 local), 7 replicas (2 icmp, 2 tcp, 1 ssh, 1 http, 1 script) ' +
      'configured; push and local replicas appear when they report',
  );
  const pollOnly = parseConfigText(editConfig('mode = "push"', 'mode = "poll"\nreplicas = []'), FILE, {
    env: {},
  });
  assert.equal(
    summarizeConfig(pollOnly.config),
    '1 service, 3 nodes (2 poll, 1 script), 3 replicas (1 icmp, 1 tcp, 1 script) configured',
  );
  const services = parseConfigText(
    editConfig(
      'mode = "push"',
      'mode = "poll"\nreplicas = ["mysql://vigil@db:3306", "mqtt://broker:1883", "grpc://api:50051/shop.Cart"]',
    ),
    FILE,
    { env: {} },
  );
  assert.equal(
    summarizeConfig(services.config),
    '1 service, 3 nodes (2 poll, 1 script), 6 replicas (1 icmp, 1 tcp, 1 mysql, 1 mqtt, 1 grpc, 1 script) configured',
  );
});

test('a RabbitMQ queue on a non-push node is a warning, since only push reports trigger the check', () => {
  const text = editConfig('mode = "poll"\n', 'mode = "poll"\nrabbitmq_queue = "jobs"\n');
  const warnings = warningsOf(text);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(
    warnings[0] ?? '',
    /node\[0\]\.rabbitmq_queue .*only checked on push nodes, and this node's mode is "poll"/,
  );
});
