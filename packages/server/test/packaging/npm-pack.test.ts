import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { apiClient } from '../helpers/api-contract.js';
import { exited, freePort, REPO_ROOT, waitForHttp } from '../helpers/cli.js';

const run = promisify(execFile);
const SERVER_PACKAGE = join(REPO_ROOT, 'packages/server');

/** The version field of a package.json. */
function versionOf(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/**
 * What a user gets from `npm install @vigil-ts/server`: the packed tarball installed into an empty
 * folder, its dependencies from the registry. The registry install skips scripts and takes the
 * workspace's compiled better-sqlite3 addon instead (same version, checked), since compiling it
 * offline costs ~80 s and is that package's business, not this one's.
 */
describe('npm pack of @vigil-ts/server', { timeout: 240_000 }, () => {
  let folder: string;
  let app: string;
  let tarball: string;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'vigil-pack-'));
    await run('npm', ['pack', '--pack-destination', folder], { cwd: SERVER_PACKAGE });
    const packed = readdirSync(folder).find((name) => name.endsWith('.tgz'));
    assert.ok(packed, 'npm pack wrote no tarball');
    tarball = join(folder, packed);
    app = join(folder, 'app');
    mkdirSync(app);
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: app });

    const installed = join(app, 'node_modules/better-sqlite3');
    const built = join(REPO_ROOT, 'node_modules/better-sqlite3');
    assert.equal(versionOf(join(installed, 'package.json')), versionOf(join(built, 'package.json')));
    mkdirSync(join(installed, 'build/Release'), { recursive: true });
    copyFileSync(
      join(built, 'build/Release/better_sqlite3.node'),
      join(installed, 'build/Release/better_sqlite3.node'),
    );
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('ships the built code, the assets and a default config, and no sources or tests', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    assert.ok(files.includes('package/bin/vigil.js'));
    assert.ok(files.includes('package/dist/cli.js'));
    assert.ok(files.includes('package/dist/scheduler/worker/prober-thread.js'));
    assert.ok(files.includes('package/dist/bundle/cli.js'));
    assert.ok(files.includes('package/dist/bundle/prober-thread.js'));
    assert.ok(files.includes('package/config.default.cfg'));
    assert.ok(files.includes('package/src/web/assets/page.css'));
    const unexpected = files.filter(
      (file) =>
        !/^package\/(package\.json|config\.default\.cfg|bin\/[^/]+\.js|dist\/.+\.(js|d\.ts)|src\/web\/assets\/[^/]+)$/.test(
          file,
        ),
    );
    assert.deepEqual(unexpected, []);
  });

  it('`npx vigil --version` names the package version', async () => {
    const { stdout } = await run('npx', ['--no', '--', 'vigil', '--version'], { cwd: app });
    assert.equal(stdout.trim(), `vigil ${versionOf(join(SERVER_PACKAGE, 'package.json'))} (Vigil TS)`);
  });

  it('the shipped default config is valid', async () => {
    const { stdout } = await run('npx', ['--no', '--', 'vigil', 'check-config', '-c', shippedConfig()], {
      cwd: app,
    });
    assert.match(stdout, /: ok, /);
  });

  it('serves the status page and its health endpoints', async () => {
    const port = await freePort();
    // The shipped config's poll replicas check the server itself: they follow it to the free port.
    // Its two poll replicas run on the main thread unless told: the bundle's prober thread is tested.
    const config = readFileSync(shippedConfig(), 'utf8')
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)
      .replace(/^\[metrics\]$/m, '[metrics]\npoll_in_worker = true');
    assert.match(config, new RegExp(`^inet = "127\\.0\\.0\\.1:${port}"$`, 'm'));
    assert.match(config, /^poll_in_worker = true$/m);
    writeFileSync(join(app, 'config.cfg'), config);
    // Only the bundle is left of the built code: serving proves the binary runs it, and that it needs
    // nothing else from dist/.
    const dist = join(app, 'node_modules/@vigil-ts/server/dist');
    for (const entry of readdirSync(dist))
      if (entry !== 'bundle') rmSync(join(dist, entry), { recursive: true });
    const server = spawn(join(app, 'node_modules/.bin/vigil'), ['-c', 'config.cfg'], {
      cwd: app,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`).catch((error: Error) => {
        throw new Error(`${error.message}; stderr: ${stderr}`);
      });
      const page = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Vigil TS Status/);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.deepEqual(await ready.json(), { status: 'ready', store: 'sqlite' });
      // The bundled prober thread checked the poll replicas and its results reached the model.
      const checked = await waitForPollResults(port);
      assert.deepEqual(checked, [
        { node: 'http', status: 'healthy' },
        { node: 'tcp', status: 'healthy' },
      ]);
    } finally {
      server.kill('SIGTERM');
    }
    assert.deepEqual(await exited(server), { code: 0, signal: null });
    // The SQLite default, relative to the working directory.
    assert.ok(readdirSync(join(app, 'data')).includes('vigil.db'));
  });

  /** The poll nodes' replicas once each has a result (a latency), as `/api/v1/status` shows them. */
  async function waitForPollResults(port: number) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = (await apiClient(`http://127.0.0.1:${port}`).request('/api/v1/status')).json<{
        services: {
          nodes: { id: string; mode: string; replicas: { status: string; latency_ms: number | null }[] }[];
        }[];
      }>();
      const poll = status.services.flatMap((service) => service.nodes.filter((node) => node.mode === 'poll'));
      const replicas = poll.flatMap((node) =>
        node.replicas.map((replica) => ({ node: node.id, ...replica })),
      );
      if (replicas.length > 0 && replicas.every((replica) => replica.latency_ms !== null)) {
        return replicas.map(({ node, status }) => ({ node, status }));
      }
      if (Date.now() > deadline) throw new Error(`no poll results after 30 s: ${JSON.stringify(replicas)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function shippedConfig(): string {
    return join(app, 'node_modules/@vigil-ts/server/config.default.cfg');
  }
});
