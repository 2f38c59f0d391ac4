import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { RunningVigil } from '../../src/main.js';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import type { ReadinessProbe } from '../../src/web/routes/health.js';
import { MIXED_PROBES, testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { buildTestApp } from '../helpers/server.js';
import { startFullVigil, waitFor } from '../helpers/vigil.js';

async function probe(url: string, method: 'GET' | 'HEAD' = 'GET') {
  const response = await fetch(url, { method });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    cacheControl: response.headers.get('cache-control'),
    contentType: response.headers.get('content-type'),
  };
}

describe('health endpoints on a SQLite store', () => {
  let folder: string;
  let vigil: RunningVigil;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'vigil-health-'));
    vigil = await startFullVigil(
      `\n[storage]\npath = "${join(folder, 'vigil.db')}"\n\n[probe]\n${MIXED_PROBES}`,
    );
  });
  after(async () => {
    await vigil.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('/healthz answers 200 alive, uncached, as JSON', async () => {
    const answer = await probe(`${vigil.url}/healthz`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { status: 'alive' });
    assert.equal(answer.cacheControl, 'no-store');
    assert.match(answer.contentType ?? '', /^application\/json/);
  });

  it('/readyz answers 200 when the store answers', async () => {
    const answer = await probe(`${vigil.url}/readyz`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { status: 'ready', store: 'sqlite' });
    assert.equal(answer.cacheControl, 'no-store');
  });

  it('both answer HEAD with no body, and a trailing slash', async () => {
    for (const path of ['/healthz', '/readyz', '/healthz/', '/readyz/']) {
      const answer = await probe(`${vigil.url}${path}`, 'HEAD');
      assert.equal(answer.status, 200, path);
      assert.equal(answer.body, undefined, path);
    }
  });

  it('refuses other methods like every route (404)', async () => {
    const response = await fetch(`${vigil.url}/readyz`, { method: 'POST' });
    await response.body?.cancel();
    assert.equal(response.status, 404);
  });
});

describe('health endpoints on a PostgreSQL store that stops', () => {
  let postgres: TestPostgres;
  let vigil: RunningVigil;
  before(async () => {
    postgres = await startTestPostgres();
    const url = await postgres.createDatabase();
    vigil = await startFullVigil(
      `\n[storage]\nengine = "postgres"\nurl = "${url}"\nflush_interval = 1\n\n[probe]\n${MIXED_PROBES}`,
    );
  });
  after(async () => {
    // The store is gone, so the last flush fails; stopping must still finish.
    await vigil.stop().catch(() => {});
    await postgres.stop();
  });

  it('readiness turns 503 with a reason while liveness stays 200', async () => {
    assert.deepEqual((await probe(`${vigil.url}/readyz`)).body, { status: 'ready', store: 'postgres' });

    await postgres.stop();

    let answer = await probe(`${vigil.url}/readyz`);
    // The pool may hand out a connection the server just dropped before it notices: ask again.
    await waitFor('readiness to fail', async () => {
      answer = await probe(`${vigil.url}/readyz`);
      return answer.status === 503;
    });
    assert.equal(answer.body?.status, 'unavailable');
    assert.equal(answer.body?.store, 'postgres');
    assert.match(String(answer.body?.error), /^the postgres store failed: \S+/);
    assert.equal(answer.cacheControl, 'no-store');
    // Public route: the reason names no host, port or user.
    assert.doesNotMatch(String(answer.body?.error), /127\.0\.0\.1|postgres@/);

    const live = await probe(`${vigil.url}/healthz`);
    assert.equal(live.status, 200);
    assert.deepEqual(live.body, { status: 'alive' });
    assert.equal((await probe(`${vigil.url}/readyz`, 'HEAD')).status, 503);
  });
});

describe('readiness against a store that hangs', () => {
  function appWith(store: ReadinessProbe, clock: FakeClock) {
    const config = testConfig(MIXED_PROBES);
    const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), clock);
    return buildTestApp({ settings: config, model, clock, logger: pino({ level: 'silent' }), store });
  }

  it('fails after the timeout, and concurrent probes share one query', async () => {
    const clock = new FakeClock();
    let pings = 0;
    const hung: ReadinessProbe = {
      engine: 'postgres',
      ping: () => {
        pings++;
        return new Promise(() => {});
      },
    };
    const app = appWith(hung, clock);
    try {
      const answers = Promise.all([app.inject('/readyz'), app.inject('/readyz')]);
      await waitFor('both probes to wait on the store', () => pings === 1 && clock.pendingTimers > 0);
      clock.advance(1999);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(pings, 1);
      clock.advance(1);
      for (const answer of await answers) {
        assert.equal(answer.statusCode, 503);
        assert.deepEqual(answer.json(), {
          error: 'the postgres store did not answer within 2000 ms',
          status: 'unavailable',
          store: 'postgres',
        });
      }
      // The next probe asks the store again.
      const next = app.inject('/readyz');
      await waitFor('a second query', () => pings === 2);
      clock.advance(2000);
      assert.equal((await next).statusCode, 503);
    } finally {
      await app.close();
    }
  });

  it('is ready again as soon as the store answers', async () => {
    const clock = new FakeClock();
    let healthy = false;
    const flaky: ReadinessProbe = {
      engine: 'sqlite',
      ping: () =>
        healthy ? Promise.resolve() : Promise.reject(Object.assign(new Error('x'), { code: 'SQLITE_BUSY' })),
    };
    const app = appWith(flaky, clock);
    try {
      const down = await app.inject('/readyz');
      assert.equal(down.statusCode, 503);
      assert.equal(down.json().error, 'the sqlite store failed: SQLITE_BUSY');
      healthy = true;
      const up = await app.inject('/readyz');
      assert.equal(up.statusCode, 200);
      assert.deepEqual(up.json(), { status: 'ready', store: 'sqlite' });
    } finally {
      await app.close();
    }
  });
});
