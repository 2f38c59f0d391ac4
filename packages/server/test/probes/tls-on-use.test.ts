import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const HTTP_PROBE = new URL('../../src/probes/http.ts', import.meta.url).href;
const CLOCK = new URL('../../src/time/clock.ts', import.meta.url).href;

/**
 * In a process of its own (this one has long loaded TLS): which of Node's TLS modules are loaded
 * after an http:// check to a loopback server, then after an https:// one (to a closed port: it
 * fails, but only after loading what it needs).
 */
const CHILD = `
  import { createServer } from 'node:http';
  const { httpProbe } = await import(${JSON.stringify(HTTP_PROBE)});
  const { systemClock } = await import(${JSON.stringify(CLOCK)});
  const loaded = () => ['https', 'tls', 'http2'].filter((name) => process.moduleLoadList.includes('NativeModule ' + name));
  const server = createServer((_, response) => response.end('ok'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const check = (url) => httpProbe.check(
    { kind: 'http', url, method: 'GET', headers: {}, statusHealthyAbove: 200, statusHealthyBelow: 400, cacheBuster: false, tlsExpirySickDays: 0 },
    { timeoutMs: 5000, signal: new AbortController().signal, clock: systemClock },
  );
  const plain = await check('http://127.0.0.1:' + server.address().port + '/');
  const afterPlain = loaded();
  const secure = await check('https://127.0.0.1:1/');
  server.close();
  console.log(JSON.stringify({ plain: plain.health, afterPlain, secure: secure.health, afterSecure: loaded() }));
`;

test('http:// checks leave https and tls unloaded; the first https:// check loads them', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), {
    plain: 'healthy',
    afterPlain: [],
    secure: 'dead',
    afterSecure: ['https', 'tls'],
  });
});
