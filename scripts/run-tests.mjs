#!/usr/bin/env node
// Runs every *.test.ts under packages/ with node's own test runner (whose summary CI reads),
// TypeScript loaded through tsx. Arguments narrow the run to files whose path contains them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests(join(root, 'packages'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(' ')}`);
  process.exit(1);
}

// node's runner times each test file as a whole. The container test builds an image (debootstrap,
// npm install, a native compile): minutes on a cold machine, so a run that includes it allows more.
const fileTimeoutMs = files.some((file) => file.includes('test/packaging/container')) ? 1_200_000 : 120_000;

const result = spawnSync(
  process.execPath,
  [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    `--test-timeout=${fileTimeoutMs}`,
    ...files,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // The HTTPS probe tests serve a certificate from this test CA; production trusts it the same way.
      NODE_EXTRA_CA_CERTS: join(root, 'packages/server/test/fixtures/tls/ca.pem'),
    },
  },
);
process.exit(result.status ?? 1);
