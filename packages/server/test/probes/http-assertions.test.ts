import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { compileBodyMatch } from '../../src/config/regex.js';
import type { HttpTarget } from '../../src/probes/http.js';
import { httpProbe } from '../../src/probes/http.js';
import { running, type Served, serve } from './loopback.js';

const JSON_TYPE = { 'Content-Type': 'application/json' };

function route(request: IncomingMessage, response: ServerResponse): void {
  const path = request.url?.split('?')[0];
  if (path === '/health') {
    response.writeHead(200, { ...JSON_TYPE, 'X-Ready': 'yes', 'Set-Cookie': ['a=1', 'b=2'] });
    response.end(
      JSON.stringify({
        status: 'ok',
        version: 3,
        live: true,
        checks: [{ name: 'db', state: 'degraded: replica lag of 12 s' }],
        'dotted.key': 'hidden',
        notes: 'n'.repeat(200),
      }),
    );
  } else if (path === '/text') response.writeHead(200, { 'X-Ready': 'no' }).end('all good');
  else if (path === '/huge')
    response.writeHead(200, JSON_TYPE).end(`{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
  else response.writeHead(404).end();
}

describe('http probe: JSON field and header assertions', () => {
  let server: Served;
  let base: string;

  before(async () => {
    server = await serve(createServer(route));
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close());

  const check = (path: string, options: Partial<HttpTarget>) =>
    httpProbe.check(
      {
        kind: 'http',
        url: `${base}${path}`,
        method: 'GET',
        headers: {},
        statusHealthyAbove: 200,
        statusHealthyBelow: 400,
        cacheBuster: true,
        ...options,
      },
      { timeoutMs: 5000, signal: running },
    );

  const expectDead = async (path: string, options: Partial<HttpTarget>, reason: string) => {
    const result = await check(path, options);
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, reason);
  };

  test('a JSON field that equals the expected text is healthy', async () => {
    assert.equal(
      (await check('/health', { jsonAssertion: { path: 'status', equals: 'ok' } })).health,
      'healthy',
    );
  });

  test('non-string fields compare as compact JSON; arrays are indexed by number', async () => {
    for (const [path, equals] of [
      ['version', '3'],
      ['live', 'true'],
      ['checks.0.name', 'db'],
    ]) {
      const result = await check('/health', { jsonAssertion: { path: path ?? '', equals } });
      assert.equal(result.health, 'healthy', `${path} = ${equals}`);
    }
  });

  test('a field that differs is dead, the reason naming the field and both values', async () => {
    await expectDead(
      '/health',
      { jsonAssertion: { path: 'status', equals: 'up' } },
      'JSON field status is "ok", expected "up"',
    );
  });

  test('a field that must match a regex', async () => {
    const matchesOk = { path: 'checks.0.state', matches: compileBodyMatch('^(ok|degraded)') };
    assert.equal((await check('/health', { jsonAssertion: matchesOk })).health, 'healthy');
    await expectDead(
      '/health',
      { jsonAssertion: { path: 'checks.0.state', matches: compileBodyMatch('^ok$') } },
      'JSON field checks.0.state "degraded: replica lag of 12 s" does not match /^ok$/u',
    );
  });

  test('a path alone requires the field to exist', async () => {
    assert.equal((await check('/health', { jsonAssertion: { path: 'checks' } })).health, 'healthy');
    for (const path of ['uptime', 'checks.1', 'status.length', 'dotted.key', 'checks.name']) {
      await expectDead('/health', { jsonAssertion: { path } }, `JSON field ${path} is missing`);
    }
  });

  test('a body that is not JSON, or over the 1 MiB read, is dead', async () => {
    await expectDead('/text', { jsonAssertion: { path: 'status' } }, 'JSON field status: body is not JSON');
    await expectDead(
      '/huge',
      { jsonAssertion: { path: 'pad' } },
      'JSON field pad: body is larger than 1 MiB, not read as JSON',
    );
  });

  test('a required header, any letter case, with or without a value match', async () => {
    assert.equal(
      (await check('/health', { method: 'HEAD', headerAssertion: { name: 'x-ready' } })).health,
      'healthy',
    );
    const yes = { name: 'X-Ready', matches: compileBodyMatch('^yes$') };
    assert.equal((await check('/health', { method: 'HEAD', headerAssertion: yes })).health, 'healthy');
    await expectDead('/text', { headerAssertion: yes }, 'header X-Ready "no" does not match /^yes$/u');
    await expectDead('/text', { headerAssertion: { name: 'X-Version' } }, 'header X-Version is missing');
  });

  test('a repeated header is matched as its values joined by commas', async () => {
    const cookies = { name: 'Set-Cookie', matches: compileBodyMatch('a=1, b=2') };
    assert.equal((await check('/health', { headerAssertion: cookies })).health, 'healthy');
  });

  test('the status range is judged first, then the body regex, then the JSON field', async () => {
    await expectDead('/missing', { jsonAssertion: { path: 'status' } }, 'status 404');
    await expectDead(
      '/health',
      { bodyMatch: compileBodyMatch('maintenance'), jsonAssertion: { path: 'status', equals: 'up' } },
      'body does not match /maintenance/u',
    );
  });

  test('long values are cut in the reason', async () => {
    const result = await check('/huge', { headerAssertion: { name: 'Content-Type', matches: /xml/ } });
    assert.equal(result.reason, 'header Content-Type "application/json" does not match /xml/');
    const cut = await check('/health', { jsonAssertion: { path: 'notes', equals: '' } });
    assert.equal(cut.reason, `JSON field notes is "${'n'.repeat(80)}…", expected ""`);
  });
});
