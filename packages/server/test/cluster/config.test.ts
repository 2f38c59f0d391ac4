import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../src/config/index.js';
import { settingsFrom } from '../../src/settings/settings.js';
import { errorsOf, FILE, MINIMAL_CONFIG } from '../config/minimal-config.js';
import { exited, spawnCli } from '../helpers/cli.js';
import { BASE_CONFIG, MIXED_PROBES } from '../helpers/config.js';

const POSTGRES = '\n[storage]\nengine = "postgres"\nurl = "postgres://vigil@127.0.0.1:1/vigil"\n';

function load(text: string) {
  return settingsFrom(parseConfigText(text, FILE, { env: {} }).config);
}

describe('[cluster] configuration', () => {
  test('a cluster on the default SQLite store is refused, naming the file, the key and the fix', () => {
    const errors = errorsOf(`${MINIMAL_CONFIG}\n[cluster]\n`);
    assert.equal(errors.length, 1);
    assert.match(
      errors[0] ?? '',
      /^test\.cfg: storage\.engine: is "sqlite", and \[cluster\] needs "postgres"/,
    );
    assert.match(errors[0] ?? '', /set storage\.engine = "postgres" and storage\.url, or remove \[cluster\]/);
  });

  test('so is `enabled = true` with an explicit SQLite file', () => {
    const errors = errorsOf(`${MINIMAL_CONFIG}\n[storage]\npath = "./x.db"\n[cluster]\nenabled = true\n`);
    assert.match(errors.join('\n'), /storage\.engine: is "sqlite", and \[cluster\] needs "postgres"/);
  });

  test('`enabled = false` keeps a single SQLite instance', () => {
    const settings = load(`${MINIMAL_CONFIG}\n[cluster]\nenabled = false\nvantage = "eu"\n`);
    assert.equal(settings.cluster, undefined);
    assert.equal(settings.storage.engine, 'sqlite');
  });

  test('no [cluster] table: no cluster', () => {
    assert.equal(load(MINIMAL_CONFIG).cluster, undefined);
  });

  test('the table alone turns it on, with the defaults', () => {
    const settings = load(`${MINIMAL_CONFIG}${POSTGRES}\n[cluster]\n`);
    assert.deepEqual(settings.cluster, {
      enabled: true,
      vantage: 'default',
      lease: 10,
      heartbeat_interval: 60,
    });
  });

  test('every key, and the ranges', () => {
    const settings = load(
      `${MINIMAL_CONFIG}${POSTGRES}\n[cluster]\ninstance_id = "a"\nvantage = "eu-west"\nlease = 3\n` +
        'heartbeat_url = "https://hc.example.com/ping/x"\nheartbeat_interval = 30\n',
    );
    assert.equal(settings.cluster?.instance_id, 'a');
    assert.equal(settings.cluster?.vantage, 'eu-west');
    assert.equal(settings.cluster?.heartbeat_url, 'https://hc.example.com/ping/x');
    assert.match(
      errorsOf(`${MINIMAL_CONFIG}${POSTGRES}\n[cluster]\nlease = 0\n`).join('\n'),
      /test\.cfg: cluster\.lease: /,
    );
    assert.match(
      errorsOf(`${MINIMAL_CONFIG}${POSTGRES}\n[cluster]\nheartbeat_url = "ftp://hc.example.com/"\n`).join(
        '\n',
      ),
      /test\.cfg: cluster\.heartbeat_url: must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  test('source_address is an IP address, poll_quorum a whole number from 1', () => {
    const settings = load(
      `${MINIMAL_CONFIG}${POSTGRES}\n[cluster]\nsource_address = "127.0.0.2"\n`.replace(
        '[metrics]',
        '[metrics]\npoll_quorum = 2',
      ),
    );
    assert.equal(settings.cluster?.source_address, '127.0.0.2');
    assert.equal(settings.metrics.poll_quorum, 2);
    assert.match(
      errorsOf(`${MINIMAL_CONFIG}${POSTGRES}\n[cluster]\nsource_address = "eu-west"\n`).join('\n'),
      /test\.cfg: cluster\.source_address: /,
    );
    assert.match(
      errorsOf(MINIMAL_CONFIG.replace('[metrics]', '[metrics]\npoll_quorum = 0')).join('\n'),
      /test\.cfg: metrics\.poll_quorum: /,
    );
  });

  test('`vigil` with a cluster on SQLite exits 1 before serving, naming the file and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cluster-'));
    try {
      const file = join(dir, 'cluster.cfg');
      writeFileSync(file, `${BASE_CONFIG}[cluster]\nvantage = "eu"\n[probe]\n${MIXED_PROBES}`);
      const child = spawnCli(['-c', file]);
      let stderr = '';
      let stdout = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const { code } = await exited(child);
      assert.equal(code, 1);
      assert.match(stderr, /cluster\.cfg: storage\.engine: is "sqlite", and \[cluster\] needs "postgres"/);
      assert.doesNotMatch(stdout + stderr, /listening/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
