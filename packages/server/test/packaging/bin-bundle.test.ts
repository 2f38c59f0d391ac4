import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/cli.js';

const BIN = join(REPO_ROOT, 'packages/server/bin/vigil.js');

/**
 * `bin/vigil.js` copied into a package whose dist/ and dist/bundle/ hold stand-ins that print which
 * one ran: the real ones would start a server.
 */
describe('bin/vigil.js runs the bundle when it is current, else dist/', () => {
  let folder: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  };
  /** Sets a file's modification time, in seconds from now. */
  const age = (path: string, seconds: number) => {
    const at = Date.now() / 1000 + seconds;
    utimesSync(join(folder, path), at, at);
  };
  const run = () => spawnSync(process.execPath, [join(folder, 'bin/vigil.js')], { encoding: 'utf8' });

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'vigil-bin-'));
    write('package.json', '{ "type": "module" }');
    mkdirSync(join(folder, 'bin'));
    copyFileSync(BIN, join(folder, 'bin/vigil.js'));
    for (const [code, name] of [
      ['dist/', 'dist'],
      ['dist/bundle/', 'bundle'],
    ] as const) {
      const idleHeap = name === 'dist' ? 'process/idle-heap.js' : 'idle-heap.js';
      write(`${code}${idleHeap}`, `export const loadWithSmallHeap = () => console.log('${name} idle-heap');`);
      write(`${code}cli.js`, `console.log('${name} cli');`);
    }
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('a bundle and no build info (an installed package): the bundle, idle heap first', () => {
    const { stdout, status } = run();
    assert.equal(status, 0);
    assert.equal(stdout, 'bundle idle-heap\nbundle cli\n');
  });

  test('a bundle newer than the build info (npm run build): the bundle', () => {
    write('tsconfig.tsbuildinfo', '{}');
    age('tsconfig.tsbuildinfo', -60);
    age('dist/bundle/cli.js', -30);
    assert.equal(run().stdout, 'bundle idle-heap\nbundle cli\n');
  });

  test('build info newer than the bundle (tsc -b alone since): dist/', () => {
    age('tsconfig.tsbuildinfo', -10);
    assert.equal(run().stdout, 'dist idle-heap\ndist cli\n');
  });

  test('no bundle: dist/', () => {
    rmSync(join(folder, 'dist/bundle'), { recursive: true });
    assert.equal(run().stdout, 'dist idle-heap\ndist cli\n');
  });
});
