import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Debian packages the container test needs; said in the error when one is missing. */
const REQUIRED_TOOLS = { podman: 'podman', runc: 'runc', debootstrap: 'debootstrap' } as const;

/**
 * podman as these machines need it (no registry, no bridge network): runc instead of crun, which
 * fails on RLIMIT and hybrid cgroups, and no default ulimits. `scratch` holds its containers.conf.
 */
export function podmanIn(scratch: string) {
  const conf = join(scratch, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\n');
  const env = { ...process.env, CONTAINERS_CONF: conf };
  return async (args: string[], options: { timeoutMs?: number } = {}) => {
    const { stdout, stderr } = await execFileAsync('podman', ['--runtime', 'runc', ...args], {
      env,
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr };
  };
}

export type Podman = ReturnType<typeof podmanIn>;

/** Fails loudly, naming the Debian packages to install, rather than skipping the test. */
export async function requireContainerTools(): Promise<void> {
  const missing: string[] = [];
  for (const [tool, debianPackage] of Object.entries(REQUIRED_TOOLS)) {
    try {
      await execFileAsync('sh', ['-c', `command -v ${tool}`]);
    } catch {
      missing.push(debianPackage);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `the container test needs ${missing.join(', ')}: ` +
        `apt-get install -y --no-install-recommends ${Object.values(REQUIRED_TOOLS).join(' ')}`,
    );
  }
}

/** The Debian mirror apt already uses: the first `URIs:` of a deb822 source, else sources.list. */
function debianMirror(): string {
  const folder = '/etc/apt/sources.list.d';
  const deb822 = existsSync(folder)
    ? readdirSync(folder)
        .filter((name) => name.endsWith('.sources'))
        .sort()
        .map((name) => readFileSync(join(folder, name), 'utf8'))
    : [];
  for (const text of deb822) {
    const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1];
    if (uri) return uri;
  }
  const list = existsSync('/etc/apt/sources.list') ? readFileSync('/etc/apt/sources.list', 'utf8') : '';
  const uri = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(list)?.[1];
  if (!uri)
    throw new Error('no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list');
  return uri;
}

function debianCodename(): string {
  const codename = /^VERSION_CODENAME=(\S+)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  if (!codename) throw new Error('/etc/os-release names no VERSION_CODENAME');
  return codename;
}

/**
 * A stand-in for the official `node:20-bookworm-slim` image, which no registry here serves: a
 * minimal Debian from the mirror apt uses (debootstrap, ~40 s), with this machine's Node and npm in
 * /usr/local as the official image has them, its headers (so native modules build without
 * downloading them) and its CA bundle (the npm registry may sit behind a proxy with its own CA).
 * Built once per machine and day, then reused: the tag names the Node version and the date.
 */
export async function nodeBaseImage(podman: Podman, scratch: string): Promise<string> {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const codename = debianCodename();
  const tag = `localhost/vigil-test-node:${process.versions.node}-${codename}-${day}`;
  const exists = await podman(['image', 'exists', tag]).then(
    () => true,
    () => false,
  );
  if (exists) return tag;

  const debian = `localhost/vigil-test-debian:${codename}-${day}`;
  const rootfs = join(scratch, 'rootfs');
  await execFileAsync('debootstrap', ['--variant=minbase', codename, rootfs, debianMirror()], {
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  await execFileAsync(
    'sh',
    ['-c', `tar -C "$1" -c . | podman --runtime runc import - "$2"`, 'sh', rootfs, debian],
    {
      env: { ...process.env, CONTAINERS_CONF: join(scratch, 'containers.conf') },
      timeout: 300_000,
    },
  );

  const context = join(scratch, 'node-base');
  const prefix = join(process.execPath, '../..');
  const { stdout: globalModules } = await execFileAsync('npm', ['root', '--global']);
  mkdirSync(context);
  copyFileSync(process.execPath, join(context, 'node'));
  cpSync(join(globalModules.trim(), 'npm'), join(context, 'npm'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  cpSync(join(prefix, 'include/node'), join(context, 'include'), { recursive: true });
  const systemBundle = '/etc/ssl/certs/ca-certificates.crt';
  writeFileSync(join(context, 'ca.crt'), existsSync(systemBundle) ? readFileSync(systemBundle) : '');
  writeFileSync(
    join(context, 'Containerfile'),
    [
      `FROM ${debian}`,
      'COPY node /usr/local/bin/node',
      'COPY npm /usr/local/lib/node_modules/npm',
      'COPY include /usr/local/include/node',
      'COPY ca.crt /usr/local/share/host-ca.crt',
      'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt',
      'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\',
      ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\',
      ' && node --version && npm --version',
      '',
    ].join('\n'),
  );
  await podman(['build', '--force-rm', '--network', 'host', '-t', tag, context], { timeoutMs: 300_000 });
  // The Debian layer lives on inside the tagged image, and earlier days' bases are stale.
  await podman(['untag', debian]).catch(() => {});
  const { stdout } = await podman([
    'images',
    '--format',
    '{{.Repository}}:{{.Tag}}',
    'localhost/vigil-test-node',
  ]);
  for (const stale of stdout.split('\n').filter((name) => name && name !== tag)) {
    await podman(['rmi', stale]).catch(() => {});
  }
  return tag;
}
