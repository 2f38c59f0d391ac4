import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, REPO_ROOT, waitForHttp } from '../helpers/cli.js';
import { nodeBaseImage, type Podman, podmanIn, requireContainerTools } from './podman.js';

/** The Containerfile's user; the data volume must belong to it. */
const IMAGE_UID = 10001;
const IMAGE = 'localhost/vigil-ts:test';

/**
 * The repository's Containerfile, built with podman over a local stand-in for the official Node
 * image and started with its default command and config. Cold (first run of the day on a
 * machine): ~40 s of debootstrap and a few minutes of image build, mostly compiling better-sqlite3;
 * later runs reuse the base and podman's layer cache.
 */
describe('the container image', { timeout: 1_200_000 }, () => {
  let scratch: string;
  let podman: Podman;
  const name = `vigil-ts-test-${process.pid}`;
  let port: number;
  let data: string;

  before(
    async () => {
      await requireContainerTools();
      scratch = mkdtempSync(join(tmpdir(), 'vigil-container-'));
      podman = podmanIn(scratch);
      const base = await nodeBaseImage(podman, scratch);
      await podman(
        [
          'build',
          '--force-rm',
          '--network',
          'host',
          // HEALTHCHECK is kept in the docker format only.
          '--format',
          'docker',
          '--build-arg',
          `BASE=${base}`,
          '-t',
          IMAGE,
          '-f',
          join(REPO_ROOT, 'Containerfile'),
          REPO_ROOT,
        ],
        { timeoutMs: 1_000_000 },
      );
      port = await freePort();
      data = join(scratch, 'data');
      mkdirSync(data);
      chownSync(data, IMAGE_UID, IMAGE_UID);
      await podman([
        'run',
        '--detach',
        '--name',
        name,
        // No bridge networking here: the server binds a free loopback port of the host.
        '--network',
        'host',
        '--env',
        `VIGIL_INET=127.0.0.1:${port}`,
        '--env',
        `VIGIL_HEALTH_URL=http://127.0.0.1:${port}/healthz`,
        '--volume',
        `${data}:/var/lib/vigil`,
        IMAGE,
      ]);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000).catch(async (error: Error) => {
        const { stdout, stderr } = await podman(['logs', name]).catch(() => ({ stdout: '', stderr: '' }));
        throw new Error(`${error.message}; container log: ${stdout}${stderr}`);
      });
    },
    { timeout: 1_200_000 },
  );
  after(async () => {
    await podman?.(['rm', '--force', '--volumes', name]).catch(() => {});
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('serves the status page from the shipped config', async () => {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Vigil TS Status/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.deepEqual(await ready.json(), { status: 'ready', store: 'sqlite' });
  });

  it('runs as its own unprivileged user and keeps the store in the volume', async () => {
    const { stdout } = await podman(['exec', name, 'id', '-u']);
    assert.equal(stdout.trim(), String(IMAGE_UID));
    assert.ok(existsSync(join(data, 'data/vigil.db')), 'no store in the volume');
  });

  it('passes its HEALTHCHECK', async () => {
    // Exit 0 only when the check command succeeds (podman may complain of no systemd on stderr).
    await podman(['healthcheck', 'run', name]);
    const { stdout } = await podman([
      'image',
      'inspect',
      IMAGE,
      '--format',
      '{{json .Config.Healthcheck.Test}}',
    ]);
    assert.match(stdout, /VIGIL_HEALTH_URL/);
  });

  it('backs up its store with `vigil backup` into the volume', async () => {
    const { stdout } = await podman([
      'exec',
      name,
      'vigil',
      'backup',
      '-c',
      '/etc/vigil/config.cfg',
      '/var/lib/vigil/backup.db',
    ]);
    assert.match(stdout, /^backed up \/var\/lib\/vigil\/data\/vigil\.db to \/var\/lib\/vigil\/backup\.db/);
    assert.ok(existsSync(join(data, 'backup.db')));
  });

  it('stops gracefully on SIGTERM', async () => {
    await podman(['stop', '--time', '10', name]);
    const { stdout } = await podman(['inspect', name, '--format', '{{.State.ExitCode}}']);
    assert.equal(stdout.trim(), '0');
  });
});
