// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are the subject of several tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@vigil-ts/server/config';
import { loadLocalConfigFile, parseLocalConfigText } from '../src/config/load.js';
import { buildJobs } from '../src/jobs.js';

/** A complete config setting every key of Vigil Local's sample config. */
const FIXTURE = fileURLToPath(new URL('./fixtures/vigil-local-config.cfg', import.meta.url));

const MINIMAL = `
[server]
[report]
endpoint = "http://127.0.0.1:8080"
token = "secret"
[metrics]
[probe]
[[probe.service]]
id = "internal"
[[probe.service.node]]
id = "gateway"
mode = "poll"
replicas = ["tcp://127.0.0.1:22"]
`;

/** The messages of the ConfigError that loading `text` throws. */
function errorsOf(text: string): { messages: readonly string[]; warnings: readonly string[] } {
  try {
    parseLocalConfigText(text, 'local.cfg', { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return { messages: error.messages, warnings: error.warnings };
  }
  assert.fail('the config loaded');
}

describe('vigil-local config', () => {
  test("a config setting every key of Vigil Local's sample loads", () => {
    // Loading only: the fixture's replicas must never be probed from a test.
    const { config, warnings } = loadLocalConfigFile(FIXTURE, { env: {} });
    assert.deepEqual(warnings, []);
    assert.equal(config.server.log_level, 'debug');
    assert.deepEqual(config.report, {
      endpoint: 'https://status.harbour.example',
      token: 'fixture-reporter-token',
    });
    assert.deepEqual(config.metrics, {
      interval: 90,
      poll_retry: 3,
      poll_delay_dead: 8,
      poll_delay_sick: 2,
      parallelism: 8,
      script_timeout: 60,
    });
    const jobs = buildJobs(config, 'vigil-local/test');
    assert.deepEqual(
      jobs.map((job) => [job.serviceId, job.nodeId, job.replicaId, job.target.kind]),
      [
        ['depot', 'scanner', 'icmp://127.0.0.1', 'icmp'],
        ['depot', 'scanner', 'tcp://scanner-hub.harbour.example:9100', 'tcp'],
        ['depot', 'scanner', 'https://scanner-hub.harbour.example/ping', 'http'],
        ['depot', 'backup', '0', 'script'],
      ],
    );
    const script = jobs[3]?.target;
    assert.ok(script?.kind === 'script');
    assert.match(script.source, /exit 0/);
    assert.equal(script.timeoutMs, 60_000);
  });

  test("Vigil Local's defaults apply to missing keys", () => {
    const { config } = parseLocalConfigText(MINIMAL, 'local.cfg', { env: {} });
    assert.equal(config.server.log_level, 'error');
    assert.equal(config.metrics.interval, 120);
    assert.equal(config.metrics.poll_retry, 2);
    assert.equal(config.metrics.poll_delay_dead, 10);
    assert.equal(config.metrics.poll_delay_sick, 1);
  });

  test('HTTP replicas get Vigil Local’s check: HEAD, its User-Agent only, no cache-buster, 200–399', () => {
    const text = MINIMAL.replace('"tcp://127.0.0.1:22"', '"https://example.com"');
    const [job] = buildJobs(parseLocalConfigText(text, 'local.cfg').config, 'vigil-local/9.9.9');
    assert.deepEqual(job?.target, {
      kind: 'http',
      url: 'https://example.com/',
      method: 'HEAD',
      headers: { 'User-Agent': 'vigil-local/9.9.9' },
      statusHealthyAbove: 200,
      statusHealthyBelow: 400,
      cacheBuster: false,
    });
    // The report names the replica as written, not as normalised.
    assert.equal(job?.replicaId, 'https://example.com');
  });

  test('a replica URL’s credentials reach the probe but not the report', () => {
    const text = MINIMAL.replace('"tcp://127.0.0.1:22"', '"https://probe:pw-1@example.com/?token=t-2&x=1"');
    const [job] = buildJobs(parseLocalConfigText(text, 'local.cfg').config, 'vigil-local/9.9.9');
    assert.ok(job?.target.kind === 'http');
    assert.equal(job.target.url, 'https://probe:pw-1@example.com/?token=t-2&x=1');
    assert.equal(job.replicaId, 'https://***@example.com/?token=***&x=1');
  });

  test('the kinds Vigil TS adds are probed too, their passwords kept out of the report', () => {
    const text = MINIMAL.replace('"tcp://127.0.0.1:22"', '"postgres://app:pw-1@db.internal/app"');
    const [job] = buildJobs(parseLocalConfigText(text, 'local.cfg').config, 'vigil-local/9.9.9');
    assert.ok(job?.target.kind === 'postgres');
    assert.equal(job.target.password, 'pw-1');
    assert.equal(job.replicaId, 'postgres://***@db.internal/app');
  });

  test('${NAME} placeholders are filled from the environment, as in Vigil Local', () => {
    const text = MINIMAL.replace('"secret"', '"${VIGIL_TOKEN}"');
    const { config } = parseLocalConfigText(text, 'local.cfg', { env: { VIGIL_TOKEN: 'from-env' } });
    assert.equal(config.report.token, 'from-env');
  });

  test('an unset variable is an error naming the file, line, key and variable; a default fills it', () => {
    const text = MINIMAL.replace('"secret"', '"${VIGIL_TOKEN}"');
    assert.deepEqual(errorsOf(text).messages, [
      'local.cfg:5: report.token: ${VIGIL_TOKEN} names an environment variable that is not set; set it, or ' +
        'give a default as in ${VIGIL_TOKEN:-value}',
    ]);
    const withDefault = MINIMAL.replace('"secret"', '"${VIGIL_TOKEN:-fallback}"');
    assert.equal(parseLocalConfigText(withDefault, 'local.cfg', { env: {} }).config.report.token, 'fallback');
  });

  test('unknown keys are warnings that name the key and its node', () => {
    const text = MINIMAL.replace('mode = "poll"', 'mode = "poll"\nhttp_method = "GET"');
    const { warnings } = parseLocalConfigText(text, 'local.cfg');
    assert.deepEqual(warnings, [
      'local.cfg: unknown key "probe.service[0].node[0].http_method" (service "internal", node "gateway") ' +
        'is ignored: Vigil Local ignores it too',
    ]);
  });

  const broken: Array<[string, string, string]> = [
    [
      'a missing table',
      MINIMAL.replace('[report]', '[reports]'),
      'local.cfg: missing required table [report]',
    ],
    [
      'a missing token',
      MINIMAL.replace('token = "secret"', ''),
      'local.cfg: report.token: missing required key',
    ],
    [
      'an endpoint that is not a URL',
      MINIMAL.replace('http://127.0.0.1:8080', 'status.example.com'),
      'local.cfg: report.endpoint: must be the http:// or https:// base URL of the Vigil server, such as ' +
        'https://status.example.com, got "status.example.com"',
    ],
    [
      'an interval of 0',
      MINIMAL.replace('[metrics]', '[metrics]\ninterval = 0'),
      'local.cfg: metrics.interval: must be an integer from 1 to 31536000, got 0',
    ],
    [
      'a string for a number',
      MINIMAL.replace('[metrics]', '[metrics]\npoll_delay_dead = "10"'),
      'local.cfg: metrics.poll_delay_dead: expected an integer from 1 to 31536000, got "10"',
    ],
    [
      'a server-only mode',
      MINIMAL.replace('mode = "poll"', 'mode = "push"'),
      'local.cfg: probe.service[0].node[0].mode (service "internal", node "gateway"): must be one of poll, ' +
        'script, got "push"',
    ],
    [
      'an SSH replica',
      MINIMAL.replace('tcp://127.0.0.1:22', 'ssh://127.0.0.1:22'),
      'local.cfg: probe.service[0].node[0].replicas[0] (service "internal", node "gateway"): ' +
        '"ssh://127.0.0.1:22": ssh:// replicas are not supported by vigil-local (nor by Vigil Local); use ' +
        'tcp://HOST:PORT to check the port accepts connections, or probe it from the Vigil server',
    ],
    [
      'a TCP replica without a port',
      MINIMAL.replace('tcp://127.0.0.1:22', 'tcp://127.0.0.1'),
      'local.cfg: probe.service[0].node[0].replicas[0] (service "internal", node "gateway"): ' +
        '"tcp://127.0.0.1" needs an explicit port from 1 to 65535, as in tcp://HOST:PORT',
    ],
    [
      'an unsupported scheme, listing what is allowed',
      MINIMAL.replace('tcp://127.0.0.1:22', 'ftp://127.0.0.1'),
      'local.cfg: probe.service[0].node[0].replicas[0] (service "internal", node "gateway"): "ftp://127.0.0.1" ' +
        'has unsupported scheme "ftp"; expected icmp://HOST, tcp://HOST:PORT, tls://HOST:PORT (no path), an http:// or ' +
        'https:// URL, mysql://USER[:PASSWORD]@HOST:PORT[/DATABASE], mqtt://[USER[:PASSWORD]@]HOST:PORT, ' +
        'grpc://HOST:PORT[/SERVICE], dns://RESOLVER[:PORT]/NAME',
    ],
    ['a TOML syntax error', MINIMAL.replace('[metrics]', '[metrics'), 'local.cfg:6:9: TOML syntax error'],
  ];
  for (const [what, text, expected] of broken) {
    test(`refuses ${what} with a clear message`, () => {
      const [message] = errorsOf(text).messages;
      assert.ok(message?.startsWith(expected), `got: ${message}`);
    });
  }

  test('a wrongly typed token is not echoed', () => {
    const [message] = errorsOf(MINIMAL.replace('"secret"', '12345')).messages;
    assert.equal(message, 'local.cfg: report.token: expected a string, got a number (value hidden)');
  });

  test('a file that cannot be read names the file', () => {
    assert.throws(() => loadLocalConfigFile('/nonexistent/vigil-local.cfg'), {
      message: '/nonexistent/vigil-local.cfg: cannot read the configuration file: no such file',
    });
  });

  test('keys that cannot work are warnings', () => {
    const text = `${MINIMAL}scripts = ["exit 0"]\n[[probe.service.node]]\nid = "gateway"\nmode = "script"\n`;
    assert.deepEqual(parseLocalConfigText(text, 'local.cfg').warnings, [
      'local.cfg: probe.service[0].node[0].scripts (service "internal", node "gateway"): ignored: the ' +
        'node\'s mode is "poll" (Vigil Local ignores it too)',
      'local.cfg: probe.service[0].node[1].id (service "internal", node "gateway"): same service and node ids ' +
        'as probe.service[0].node[0]: both report their replicas into one node of the server',
      'local.cfg: probe.service[0].node[1] (service "internal", node "gateway"): script node has no scripts: ' +
        'nothing is reported for it',
    ]);
  });
});
