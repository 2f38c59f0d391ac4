import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfigFile, parseConfigText } from '../../src/config/index.js';
import { editConfig, errorsOf, FILE, MINIMAL_CONFIG } from './minimal-config.js';

const APPENDED_SERVICE = `
[[probe.service]]
id = "web"
label = "Web again"
node = []
`;

const brokenConfigs: Array<{ name: string; text: string; expected: RegExp }> = [
  {
    name: 'a CORS origin with a path',
    text: editConfig('[server]', '[server]\napi_cors_origins = ["https://status.example.com/page"]'),
    expected:
      /^test\.cfg: server\.api_cors_origins\[0\]: must be "\*" or an origin such as https:\/\/status\.example\.com \(scheme, host, optional port; no path\)/,
  },
  {
    name: 'a CORS "*" next to other origins',
    text: editConfig('[server]', '[server]\napi_cors_origins = ["*", "https://status.example.com"]'),
    expected: /^test\.cfg: server\.api_cors_origins: "\*" stands alone: it already allows every origin/,
  },
  {
    name: 'duplicate service id',
    text: MINIMAL_CONFIG + APPENDED_SERVICE,
    expected:
      /^test\.cfg: probe\.service\[1\]\.id \(service "web"\): duplicate service id "web", already used by probe\.service\[0\]$/,
  },
  {
    name: 'a forget age of zero',
    text: editConfig('[metrics]', '[metrics]\npush_forget_after = 0'),
    expected: /^test\.cfg: metrics\.push_forget_after: must be an integer from 1 to 31536000, got 0$/,
  },
  {
    name: 'duplicate node id within a service',
    text: editConfig('id = "app"', 'id = "router"'),
    expected:
      /probe\.service\[0\]\.node\[1\]\.id \(service "web", node "router"\): duplicate node id "router"/,
  },
  {
    name: 'replicas on a push node, even empty',
    text: editConfig('mode = "push"', 'mode = "push"\nreplicas = []'),
    expected:
      /probe\.service\[0\]\.node\[1\]\.replicas \(service "web", node "app"\): only poll nodes can have replicas/,
  },
  {
    name: 'scripts on a poll node',
    text: editConfig('mode = "poll"', 'mode = "poll"\nscripts = ["exit 0"]'),
    expected: /probe\.service\[0\]\.node\[0\]\.scripts \(service "web", node "router"\): only script nodes/,
  },
  {
    name: 'icmp replica with a trailing slash',
    text: editConfig('"icmp://edge.example.com"', '"icmp://edge.example.com/"'),
    expected:
      /node\[0\]\.replicas\[0\] .*invalid replica URL: "icmp:\/\/edge\.example\.com\/".*icmp:\/\/HOST, tcp:\/\/HOST:PORT/,
  },
  {
    name: 'tcp replica without a port',
    text: editConfig('"tcp://edge.example.com:80"', '"tcp://edge.example.com"'),
    expected: /node\[0\]\.replicas\[1\] .*invalid replica URL: .*explicit port.*expected icmp:\/\/HOST/,
  },
  {
    name: 'mysql replica without a user',
    text: editConfig('"tcp://edge.example.com:80"', '"mysql://edge.example.com:3306"'),
    expected:
      /node\[0\]\.replicas\[1\] .*invalid replica URL: "mysql:\/\/edge\.example\.com:3306" needs a user; expected mysql:\/\/USER/,
  },
  {
    name: 'replica with an unsupported scheme',
    text: editConfig('"tcp://edge.example.com:80"', '"ftp://edge.example.com"'),
    expected: /node\[0\]\.replicas\[1\] .*unsupported scheme "ftp"/,
  },
  {
    name: 'dns replica with an unsupported record type',
    text: editConfig('"tcp://edge.example.com:80"', '"dns://127.0.0.1/example.com?type=SOAP"'),
    expected:
      /node\[0\]\.replicas\[1\] .*invalid replica URL: "dns:\/\/127\.0\.0\.1\/example\.com\?type=SOAP" has unsupported type "SOAP"; allowed: A, AAAA, CNAME, MX, NS, PTR, SRV, TXT; expected icmp:\/\/HOST/,
  },
  {
    name: 'redis replica with a database path',
    text: editConfig('"tcp://edge.example.com:80"', '"redis://cache.example.com:6379/0"'),
    expected: /node\[0\]\.replicas\[1\] .*invalid replica URL: .* must not have a path, query or fragment/,
  },
  {
    name: 'postgres replica without a database, its password kept out of the error',
    text: editConfig('"tcp://edge.example.com:80"', '"postgres://vigil:hunter2@db.example.com:5432"'),
    expected:
      /node\[0\]\.replicas\[1\] .*invalid replica URL: "postgres:\/\/\*\*\*@db\.example\.com:5432" needs one database as its path(?!.*hunter2)/,
  },
  {
    name: 'invalid body regex',
    text: editConfig('mode = "poll"', 'mode = "poll"\nhttp_body_healthy_match = "(unclosed"'),
    expected:
      /node\[0\]\.http_body_healthy_match .*invalid regular expression \/\(unclosed\/: Unterminated group/,
  },
  {
    name: 'body regex in an unsupported Rust mode',
    text: editConfig('mode = "poll"', 'mode = "poll"\nhttp_body_healthy_match = \'(?x) ok\''),
    expected: /http_body_healthy_match .*\(\?x\) verbose mode is not supported/,
  },
  {
    name: 'poll_parallelism = 0',
    text: editConfig('[metrics]', '[metrics]\npoll_parallelism = 0'),
    expected: /^test\.cfg: metrics\.poll_parallelism: must be an integer from 1 to 10000, got 0$/,
  },
  {
    name: 'reported_replicas_max = 0',
    text: editConfig('[metrics]', '[metrics]\nreported_replicas_max = 0'),
    expected: /^test\.cfg: metrics\.reported_replicas_max: must be an integer from 1 to 1000000, got 0$/,
  },
  {
    name: 'unknown mode',
    text: editConfig('mode = "push"', 'mode = "ping"'),
    expected:
      /node\[1\]\.mode \(service "web", node "app"\): must be one of poll, push, script, local, got "ping"/,
  },
  {
    name: 'lowercase http_method',
    text: editConfig('mode = "poll"', 'mode = "poll"\nhttp_method = "get"'),
    expected: /node\[0\]\.http_method .*must be one of HEAD, GET, POST, PUT, PATCH, got "get"/,
  },
  {
    name: 'missing manager_token',
    text: editConfig('manager_token = "manager-secret"\n', ''),
    expected: /^test\.cfg: server\.manager_token: missing required key$/,
  },
  {
    name: 'string for an integer',
    text: editConfig('[metrics]', '[metrics]\npoll_interval = "120"'),
    expected: /^test\.cfg: metrics\.poll_interval: expected an integer from 1 to 31536000, got "120"$/,
  },
  {
    name: 'host name in inet',
    text: editConfig('[server]', '[server]\ninet = "localhost:8080"'),
    expected: /^test\.cfg: server\.inet: must be IP:PORT.*got "localhost:8080"$/,
  },
  {
    name: 'port out of range in inet',
    text: editConfig('[server]', '[server]\ninet = "0.0.0.0:70000"'),
    expected: /server\.inet: must be IP:PORT/,
  },
  {
    name: 'unknown log_level',
    text: editConfig('[server]', '[server]\nlog_level = "verbose"'),
    expected: /server\.log_level: must be one of off, error, warn, info, debug, trace, got "verbose"/,
  },
  {
    name: 'a page language without texts',
    text: editConfig('[branding]', '[branding]\nlanguage = "de"'),
    expected: /^test\.cfg: branding\.language: must be one of en, fr, got "de"$/,
  },
  {
    name: 'missing branding page_url',
    text: editConfig('page_url = "https://status.example.com/"\n', ''),
    expected: /^test\.cfg: branding\.page_url: missing required key$/,
  },
  {
    name: 'relative link_url',
    text: editConfig('mode = "push"', 'mode = "push"\nlink_url = "status.example.com/app"'),
    expected:
      /node\[1\]\.link_url \(service "web", node "app"\): must be an absolute URL.*got "status\.example\.com\/app"/,
  },
  {
    name: 'missing [probe] table',
    text: MINIMAL_CONFIG.slice(0, MINIMAL_CONFIG.indexOf('[probe]')),
    expected: /^test\.cfg: missing required table \[probe\]$/,
  },
  {
    name: 'missing node array',
    text: MINIMAL_CONFIG + APPENDED_SERVICE.replace('node = []', ''),
    expected:
      /probe\.service\[1\]\.node .*missing required key: add at least one \[\[probe\.service\.node\]\] table/,
  },
  {
    name: 'healthy status range inverted',
    text: editConfig(
      '[metrics]',
      '[metrics]\npoll_http_status_healthy_above = 400\npoll_http_status_healthy_below = 300',
    ),
    expected:
      /metrics\.poll_http_status_healthy_above: must be lower than poll_http_status_healthy_below \(300\), got 400/,
  },
  {
    name: 'bad header name',
    text: editConfig('mode = "poll"', 'mode = "poll"\nhttp_headers = { "X Bad" = "1" }'),
    expected: /node\[0\]\.http_headers\."X Bad" \(service "web", node "router"\): invalid HTTP header name/,
  },
  {
    name: 'header value with a line break',
    text: editConfig('mode = "poll"', 'mode = "poll"\nhttp_headers = { "X-Token" = "a\\nb" }'),
    expected: /node\[0\]\.http_headers\.X-Token .*invalid HTTP header value/,
  },
  {
    name: 'telegram message_thread_id as a string',
    text: `${MINIMAL_CONFIG}\n[notify.telegram]\nbot_token = "t"\nchat_id = "1"\nmessage_thread_id = "7"\n`,
    expected: /notify\.telegram\.message_thread_id: expected an integer, got "7"/,
  },
  {
    name: 'secret with the wrong type is not echoed',
    text: editConfig('reporter_token = "reporter-secret"', 'reporter_token = 123456'),
    expected: /^test\.cfg: server\.reporter_token: expected a string, got a number \(value hidden\)$/,
  },
];

for (const { name, text, expected } of brokenConfigs) {
  test(`broken config: ${name}`, () => {
    const messages = errorsOf(text);
    assert.ok(
      messages.some((message) => expected.test(message)),
      `no message matches ${expected}:\n${messages.join('\n')}`,
    );
    for (const message of messages) assert.ok(message.startsWith(`${FILE}: `), message);
  });
}

test('a TOML syntax error names the file, line and column', () => {
  const text = editConfig('label = "App"', 'label = "App');
  const line = text.split('\n').indexOf('label = "App') + 1;
  const messages = errorsOf(text);
  assert.equal(messages.length, 1);
  assert.match(messages[0] ?? '', new RegExp(`^test\\.cfg:${line}:\\d+: TOML syntax error: `));
});

test('a syntax error next to an unset placeholder says so', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an unquoted placeholder, as in Vigil's README.
  const text = editConfig('"manager-secret"', '${VIGIL_MANAGER_TOKEN}');
  const [message] = errorsOf(text);
  assert.match(
    message ?? '',
    /TOML syntax error: .*\$\{VIGIL_MANAGER_TOKEN\}: is that environment variable set\?/,
  );
});

test('every schema error is reported, not only the first', () => {
  const text = editConfig('[metrics]', '[metrics]\npoll_retry = -1\npoll_interval = 0\nworkers = 2');
  const messages = errorsOf(editConfig('mode = "push"', 'mode = "pull"', text));
  assert.equal(messages.length, 3, messages.join('\n'));
});

test('every cross-key error is reported, not only the first', () => {
  const text = editConfig('id = "app"', 'id = "router"', MINIMAL_CONFIG + APPENDED_SERVICE);
  const messages = errorsOf(editConfig('mode = "push"', 'mode = "push"\nscripts = []', text));
  assert.equal(messages.length, 3, messages.join('\n'));
});

test('the same node id in different services is fine', () => {
  const text = `${MINIMAL_CONFIG}\n[[probe.service]]\nid = "api"\nlabel = "API"\n[[probe.service.node]]\nid = "router"\nlabel = "Router"\nmode = "push"\n`;
  assert.doesNotThrow(() => parseConfigText(text, FILE, { env: {} }));
});

test('a missing or unreadable file is a ConfigError naming the path', () => {
  const directory = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  const missing = join(directory, 'config.cfg');
  assert.throws(
    () => loadConfigFile(missing),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message === `${missing}: cannot read the configuration file: no such file`,
  );
  assert.throws(() => loadConfigFile(directory), /cannot read the configuration file: it is a directory/);
});
