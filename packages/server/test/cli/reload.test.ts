import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exited, freePort, spawnCli, waitForHttp } from '../helpers/cli.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';
import { CACHE_SERVICE } from '../reload/fixtures.js';

interface LogLine {
  /** ISO-8601, as the JSON lines carry it. */
  time: string;
  level: string;
  msg: string;
}

/** The child's JSON log lines as they arrive, with a wait for the next one matching a pattern. */
function logOf(child: ChildProcess) {
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const complete = buffer.split('\n');
    buffer = complete.pop() ?? '';
    for (const text of complete) if (text.startsWith('{')) lines.push(JSON.parse(text) as LogLine);
    for (const waiter of waiters) waiter();
  });
  return {
    lines,
    /** Resolves with the first line at or after `from` whose message matches. */
    waitFor(pattern: RegExp, from = 0, timeoutMs = 15_000): Promise<LogLine> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.slice(from).find((line) => pattern.test(line.msg));
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no log line matching ${pattern} within ${timeoutMs} ms:\n${lines.map((l) => l.msg).join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

async function statusReport(base: string) {
  const response = await fetch(`${base}/status/report`);
  return (await response.json()) as {
    probes: Array<{ name: string; nodes: Array<{ name: string; replicas: string[] }> }>;
  };
}

async function pushReport(base: string, replica: string, interval: number): Promise<number> {
  const response = await fetch(`${base}/reporter/web/app/`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(':reporter-secret').toString('base64')}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ replica, interval, load: { cpu: 0.1, ram: 0.1 } }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('vigil reloads its configuration', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-reload-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A config for `port` with `probes`, logging at info so the test reads what the server did. */
  function configText(port: number, probes: string, metrics = 'push_delay_dead = 2\n'): string {
    const base = BASE_CONFIG.replace('127.0.0.1:0', `127.0.0.1:${port}`).replace(
      'log_level = "off"',
      'log_level = "info"',
    );
    return `${base}${metrics}\n[storage]\npath = "${join(dir, `vigil-${port}.db`)}"\n[probe]\n${probes}`;
  }

  async function serve(name: string, probes: string, args: string[] = []) {
    const port = await freePort();
    const file = join(dir, name);
    writeFileSync(file, configText(port, probes));
    const child = spawnCli(['-c', file, ...args]);
    const log = logOf(child);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/status/text`);
    return { port, file, child, log, base };
  }

  test('SIGHUP with a valid config serves the new service; a push replica keeps its state and deadline', async () => {
    const { port, file, child, log, base } = await serve('valid.cfg', REPORTED_PROBES);
    try {
      const reportedAt = Date.now();
      assert.equal(await pushReport(base, 'h1', 2), 200);
      // Its deadline: report + interval 2 s + push_delay_dead 2 s. Reload half-way through it.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      writeFileSync(file, configText(port, `${REPORTED_PROBES}${CACHE_SERVICE}`));
      const from = log.lines.length;
      child.kill('SIGHUP');
      await log.waitFor(/^SIGHUP received, reloading the configuration$/, from);
      await log.waitFor(/^configuration reload: services: added cache$/, from);
      await log.waitFor(/^configuration reloaded from /, from);

      const report = await statusReport(base);
      assert.deepEqual(
        report.probes.map((probe) => probe.name),
        ['Web', 'Relay', 'Cache'],
      );
      // Still there and still healthy: the reload neither dropped nor reset it.
      assert.deepEqual(report.probes[0]?.nodes[0]?.replicas, ['healthy']);
      assert.match(await (await fetch(`${base}/`)).text(), /Cache/);

      const died = await log.waitFor(/^replica web:app:h1 is dead/, from);
      // Dead at the original deadline (4 s after the report), not 4 s after the reload (≥ 6 s):
      // the 2 s between the two leave room for a slow machine's late timer.
      const deadAfterMs = Date.parse(died.time) - reportedAt;
      assert.ok(deadAfterMs >= 4000 && deadAfterMs < 6000, `dead ${deadAfterMs} ms after the report`);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  test('SIGHUP with an invalid config logs every error and keeps serving the old one', async () => {
    const { port, file, child, log, base } = await serve('invalid.cfg', REPORTED_PROBES);
    try {
      writeFileSync(
        file,
        configText(
          port,
          `${REPORTED_PROBES}${CACHE_SERVICE}`,
          'poll_parallelism = 0\nscript_interval = -1\n',
        ),
      );
      const from = log.lines.length;
      child.kill('SIGHUP');
      const refused = await log.waitFor(
        /^configuration reload refused, still running the previous one: /,
        from,
      );
      const errors = log.lines.slice(from).filter((line) => line.level === 'error');
      assert.ok(errors.some((line) => /invalid\.cfg: metrics\.poll_parallelism: /.test(line.msg)));
      assert.ok(errors.some((line) => /invalid\.cfg: metrics\.script_interval: /.test(line.msg)));
      assert.ok(errors.includes(refused));
      assert.deepEqual(
        (await statusReport(base)).probes.map((probe) => probe.name),
        ['Web', 'Relay'],
      );
      assert.equal(await pushReport(base, 'h1', 30), 200);
      assert.equal(child.exitCode, null, 'still running');
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  test('--watch reloads when the file changes', async () => {
    const { port, file, child, log, base } = await serve('watched.cfg', REPORTED_PROBES, ['--watch']);
    try {
      const from = log.lines.length;
      writeFileSync(file, configText(port, `${REPORTED_PROBES}${CACHE_SERVICE}`));
      await log.waitFor(/^configuration reloaded from /, from);
      assert.deepEqual(
        (await statusReport(base)).probes.map((probe) => probe.name),
        ['Web', 'Relay', 'Cache'],
      );
      // One reload for the one save, however many events the write made.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(
        log.lines.slice(from).filter((line) => /^configuration reloaded/.test(line.msg)).length,
        1,
      );
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });
});
