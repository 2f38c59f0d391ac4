import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/load.js';
import { describeDiff, diffSettings, isEmptyDiff } from '../../src/reload/diff.js';
import { settingsFrom } from '../../src/settings/settings.js';
import { BASE_CONFIG, MIXED_PROBES } from '../helpers/config.js';

function settings(metrics: string, tables: string, probes: string) {
  const text = `${BASE_CONFIG}${metrics}\n${tables}\n[probe]\n${probes}`;
  return settingsFrom(parseConfigText(text, 'test.cfg', { env: {} }).config);
}

test('the same config makes an empty diff', () => {
  const current = settings('', '', MIXED_PROBES);
  assert.ok(isEmptyDiff(diffSettings(current, settings('', '', MIXED_PROBES))));
  assert.deepEqual(describeDiff(diffSettings(current, current)), []);
});

test('each kind of change gets one line, replica credentials hidden', () => {
  const current = settings(
    'poll_interval = 60\n',
    '[notify]\n[notify.webhook]\nhook_url = "http://127.0.0.1:9/a"\n[notify.slack]\nhook_url = "http://127.0.0.1:9/s"\n',
    MIXED_PROBES,
  );
  const next = settings(
    'poll_interval = 30\n',
    '[notify]\nreminder_interval = 600\n[notify.webhook]\nhook_url = "http://127.0.0.1:9/b"\n[notify.gotify]\napp_url = "http://127.0.0.1:9/"\napp_token = "t"\n',
    MIXED_PROBES.replace('label = "API"', 'label = "Public API"')
      .replace('"tcp://127.0.0.1:1"', '"http://user:secret@127.0.0.1:2/"')
      .replace('id = "internal"\nlabel = "Internal"', 'id = "internal"\nlabel = "Inside"'),
  );
  const diff = diffSettings(current, next);
  assert.deepEqual(describeDiff(diff), [
    'services: changed internal',
    'nodes: changed web:api',
    'replicas: added web:api:http://***@127.0.0.1:2/; removed web:api:tcp://127.0.0.1:1',
    'notify channels: added gotify; removed slack; changed webhook',
    'notify: changed reminder_interval',
    'metrics: changed poll_interval',
  ]);
  assert.deepEqual(diff.restartNeeded, []);
});

test('[[notify.<channel>]] entries are compared by target id', () => {
  const slacks = (...names: string[]) =>
    `[notify]\n${names.map((name) => `[[notify.slack]]\nname = "${name}"\nhook_url = "http://127.0.0.1:9/${name}"\n`).join('')}`;
  const current = settings('', slacks('ops', 'web'), MIXED_PROBES);
  const next = settings('', `${slacks('web', 'jobs')}\n`.replace('/web"', '/web2"'), MIXED_PROBES);
  assert.deepEqual(describeDiff(diffSettings(current, next)), [
    'notify channels: added slack#jobs; removed slack#ops; changed slack#web',
  ]);
  const single = settings(
    '',
    '[notify]\n[notify.slack]\nhook_url = "http://127.0.0.1:9/ops"\n',
    MIXED_PROBES,
  );
  assert.deepEqual(describeDiff(diffSettings(single, current)), [
    'notify channels: added slack#ops, slack#web; removed slack',
  ]);
});

test('server, storage, Prometheus and RabbitMQ changes are listed as needing a restart', () => {
  const current = settings('', '', MIXED_PROBES);
  const next = settingsFrom(
    parseConfigText(
      `${BASE_CONFIG.replace('127.0.0.1:0', '127.0.0.1:1').replace('"reporter-secret"', '"rotated"')}\n[storage]\npath = "other.db"\n[prometheus]\nenabled = true\n[probe]\n${MIXED_PROBES}`,
      'test.cfg',
      { env: {} },
    ).config,
  );
  const { restartNeeded } = diffSettings(current, next);
  assert.deepEqual(restartNeeded, [
    'server.inet',
    'server.reporter_token',
    'storage.path',
    'prometheus.enabled',
  ]);
});
