import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, spawnCli } from '../helpers/cli.js';
import { BASE_CONFIG, MIXED_PROBES } from '../helpers/config.js';
import { basicAuth } from '../helpers/server.js';

describe('vigil logs', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-logs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts `vigil` with `args`, collecting stdout; stop() sends SIGTERM and waits for the output to end. */
  function serveWith(args: string[]) {
    const child = spawnCli(args);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const closed = new Promise((resolve) => child.once('close', resolve));
    return {
      stdout: () => stdout,
      async waitFor(pattern: RegExp, what: string) {
        const deadline = Date.now() + 20_000;
        while (!pattern.test(stdout)) {
          if (Date.now() > deadline) throw new Error(`no ${what} in: ${stdout}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      async stop() {
        child.kill('SIGTERM');
        await closed;
      },
    };
  }

  test("at Vigil's default level error, one start line says version, URL and counts (-c=FILE)", async () => {
    const port = await freePort();
    const file = join(dir, 'quiet.cfg');
    const config = BASE_CONFIG.replace('log_level = "off"\n', '').replace('127.0.0.1:0', `127.0.0.1:${port}`);
    writeFileSync(file, `${config}\n[storage]\npath = "${join(dir, 'quiet.db')}"\n[probe]\n${MIXED_PROBES}`);
    const vigil = serveWith([`-c=${file}`]);
    try {
      await vigil.waitFor(/started/, 'start line');
    } finally {
      await vigil.stop();
    }
    const lines = vigil.stdout().trim().split('\n');
    assert.equal(lines.length, 1, vigil.stdout());
    const line = JSON.parse(lines[0] ?? '') as { level: string; msg: string };
    assert.equal(line.level, 'info');
    assert.match(
      line.msg,
      new RegExp(
        `^Vigil TS \\d+\\.\\d+\\.\\d+ started with ${file}, listening on http://127\\.0\\.0\\.1:${port}: ` +
          '2 services, 4 nodes \\(1 poll, 1 push, 1 script, 1 local\\), 3 replicas \\(1 tcp, 1 http, 1 script\\) configured',
      ),
    );
  });

  test('at debug, each probe result and each report is logged, with credentials redacted (--config=FILE)', async () => {
    const target = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const port = await freePort();
    const replica = `http://probe-user:probe-password@127.0.0.1:${targetPort}/health?token=probe-token&view=1`;
    const probes = MIXED_PROBES.replace('"http://127.0.0.1:1/health", "tcp://127.0.0.1:1"', `"${replica}"`);
    const file = join(dir, 'debug.cfg');
    const config = BASE_CONFIG.replace('log_level = "off"', 'log_level = "debug"').replace(
      '127.0.0.1:0',
      `127.0.0.1:${port}`,
    );
    writeFileSync(file, `${config}\n[storage]\npath = "${join(dir, 'debug.db')}"\n[probe]\n${probes}`);
    const vigil = serveWith([`--config=${file}`]);
    try {
      await vigil.waitFor(/started/, 'start line');
      await vigil.waitFor(/"probed web:api:/, 'probe line');
      const report = await fetch(`http://127.0.0.1:${port}/reporter/web/app/`, {
        method: 'POST',
        headers: { Authorization: basicAuth('reporter-secret'), 'Content-Type': 'application/json' },
        body: JSON.stringify({ replica: 'host-1', interval: 30, load: { cpu: 0.1, ram: 0.1 } }),
      });
      assert.equal(report.status, 200);
      await vigil.waitFor(/"report for web:app:host-1/, 'report line');
    } finally {
      await vigil.stop();
      target.close();
    }
    const lines = vigil
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { time: string; msg: string });
    for (const line of lines) assert.match(line.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const messages = lines.map((line) => line.msg);
    const redacted = `http://***@127.0.0.1:${targetPort}/health?token=***&view=1`;
    const probed = `probed web:api:${redacted}: healthy (`;
    assert.ok(
      messages.some(
        (message) => message.startsWith(probed) && /^\d+ ms\)$/.test(message.slice(probed.length)),
      ),
      vigil.stdout(),
    );
    assert.ok(
      messages.includes('report for web:app:host-1 (push, cpu 0.1, ram 0.1, every 30 s): ok'),
      vigil.stdout(),
    );
    for (const secret of ['probe-user', 'probe-password', 'probe-token']) {
      assert.ok(!vigil.stdout().includes(secret), `${secret} leaked into the log`);
    }
  });
});
