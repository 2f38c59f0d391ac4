import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { parseReplicaUrl, probeRegistry, runProbe } from '../../src/probes/index.js';
import { running, serve } from './loopback.js';

test('the registry has one probe per target kind, filed under its own kind', () => {
  assert.deepEqual(Object.keys(probeRegistry).sort(), [
    'dns',
    'grpc',
    'http',
    'icmp',
    'mqtt',
    'mysql',
    'postgres',
    'redis',
    'script',
    'ssh',
    'tcp',
    'tls',
  ]);
  for (const [kind, probe] of Object.entries(probeRegistry)) assert.equal(probe.kind, kind);
});

test('runProbe dispatches on the target kind', async () => {
  const served = await serve(createServer());
  try {
    const parsed = parseReplicaUrl(`tcp://127.0.0.1:${served.port}`);
    assert.ok(parsed.ok && parsed.address.kind === 'tcp');
    const tcp = await runProbe(parsed.address, { timeoutMs: 1000, signal: running });
    assert.equal(tcp.health, 'healthy');
  } finally {
    await served.close();
  }
  const script = await runProbe({ kind: 'script', source: 'exit 1' }, { timeoutMs: 1000, signal: running });
  assert.equal(script.health, 'sick');
});
