import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningVigil } from '../../src/main.js';
import { MAINTENANCE_WINDOWS_MAX } from '../../src/maintenance/types.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { apiClient } from '../helpers/api-contract.js';
import { managerCaller, UUID_V4 } from '../helpers/manager-call.js';
import { basicAuth } from '../helpers/server.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES, startStoredVigil } from '../helpers/store-vigil.js';
import { pushReport } from '../helpers/vigil.js';

const HOUR = 3_600_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** A window on the push node from an hour ago to an hour from now: active while the test runs. */
function activeBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Database move',
    text: 'The primary moves.\nExpect errors.',
    starts_at: iso(Date.now() - HOUR),
    ends_at: iso(Date.now() + HOUR),
    nodes: ['web:app'],
    ...overrides,
  };
}

interface WindowView {
  id: string;
  title: string;
  text: string;
  starts_at: string;
  ends_at: string;
  services: string[];
  nodes: string[];
  state: string;
}

describeEachEngine('manager API: maintenance windows', (engine) => {
  let location: StoreLocation;
  let vigil: RunningVigil;

  const call = managerCaller(() => vigil.url);
  const listed = async () => (await call('/manager/maintenances/')).json() as WindowView[];
  const create = (body: unknown) => call('/manager/maintenance/', { method: 'POST', body });

  before(async () => {
    location = await engine.freshLocation();
    vigil = await startStoredVigil(location, REPORTED_PROBES);
  });
  after(() => vigil.stop());

  test('every route answers 401 without credentials and 403 with a wrong one, and changes nothing', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/manager/maintenances/'],
      ['POST', '/manager/maintenance/', activeBody()],
      ['PUT', '/manager/maintenance/00000000-0000-4000-8000-000000000000/', activeBody()],
      ['DELETE', '/manager/maintenance/00000000-0000-4000-8000-000000000000/'],
    ];
    for (const [method, path, body] of routes) {
      for (const [auth, status] of [
        [null, 401],
        [basicAuth('wrong'), 403],
        [basicAuth('reporter-secret'), 403],
      ] as const) {
        const response = await call(path, { method, body, auth });
        assert.equal(response.status, status, `${method} ${path}`);
        assert.equal(response.headers.get('www-authenticate'), 'Basic realm="Reporter Token"');
      }
    }
    assert.deepEqual(await listed(), []);
  });

  test('bad bodies are 400 with a JSON error naming the field, and store nothing', async () => {
    const now = Date.now();
    const cases: Array<[string, unknown, string]> = [
      ['missing title', { ...activeBody(), title: undefined }, 'title'],
      ['empty title', activeBody({ title: '' }), 'body/title'],
      ['long title', activeBody({ title: 'x'.repeat(257) }), 'body/title'],
      ['control character', activeBody({ title: 'a\u0000b' }), 'body/title'],
      ['long text', activeBody({ text: 'x'.repeat(16 * 1024 + 1) }), 'body/text'],
      ['not a time', activeBody({ starts_at: 'tomorrow' }), 'body/starts_at'],
      ['no zone', activeBody({ starts_at: '2026-03-05T18:00:00' }), 'body/starts_at'],
      ['impossible date', activeBody({ ends_at: '2026-13-40T00:00:00Z' }), 'body/ends_at'],
      ['ends before it starts', activeBody({ starts_at: iso(now + 2 * HOUR) }), 'body/ends_at must be after'],
      [
        'ended already',
        activeBody({ starts_at: iso(now - 2 * HOUR), ends_at: iso(now - HOUR) }),
        'body/ends_at is in the past',
      ],
      ['too far ahead', activeBody({ ends_at: iso(now + 400 * 24 * HOUR) }), 'body/ends_at must be within'],
      ['no target', activeBody({ nodes: [] }), 'body/services and body/nodes'],
      ['unknown service', activeBody({ services: ['web', 'nope'] }), 'body/services/1'],
      ['node without a service', activeBody({ nodes: ['app'] }), 'body/nodes/0'],
      ['unknown node', activeBody({ nodes: ['web:app', 'web:nope'] }), 'body/nodes/1'],
      ['too many nodes', activeBody({ nodes: Array.from({ length: 101 }, () => 'web:app') }), 'nodes'],
      ['a number for a title', activeBody({ title: 5 }), 'title'],
      ['an unknown field', activeBody({ severity: 'high' }), 'additional'],
    ];
    for (const [what, body, field] of cases) {
      const response = await create(body);
      assert.equal(response.status, 400, what);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/, what);
      const { error } = response.json() as { error: string };
      assert.ok(error.includes(field), `${what}: ${error}`);
    }
    const broken = await call('/manager/maintenance/', { method: 'POST', raw: '{"title":' });
    assert.equal(broken.status, 400);
    assert.deepEqual(await listed(), []);
  });

  test('a window is created, listed, shown in /api/v1, and deleted; /status/report keeps the health', async () => {
    assert.equal(await pushReport(vigil, 'web/app', 'host-1', { cpu: 0.99, ram: 0.1 }), 200);
    const reportBefore = await (await fetch(`${vigil.url}/status/report`)).text();
    const created = await create(activeBody());
    assert.equal(created.status, 200, created.text);
    const { id } = created.json() as { id: string };
    assert.match(id, UUID_V4);
    const upcoming = await create(
      activeBody({
        title: 'Relay swap',
        starts_at: iso(Date.now() + HOUR),
        ends_at: iso(Date.now() + 2 * HOUR),
        nodes: undefined,
        services: ['relay'],
      }),
    );
    assert.equal(upcoming.status, 200, upcoming.text);

    const list = await listed();
    assert.deepEqual(
      list.map((each) => [each.title, each.state, each.services, each.nodes]),
      [
        ['Database move', 'active', [], ['web:app']],
        ['Relay swap', 'upcoming', ['relay'], []],
      ],
    );
    assert.equal(list[0]?.text, 'The primary moves.\nExpect errors.');

    const status = (await apiClient(vigil.url).request('/api/v1/status')).json<{
      services: Array<{
        id: string;
        nodes: Array<{ id: string; status: string; under_maintenance: boolean }>;
      }>;
    }>();
    const nodes = status.services.flatMap((service) =>
      service.nodes.map((node) => [`${service.id}:${node.id}`, node.status, node.under_maintenance]),
    );
    assert.deepEqual(nodes, [
      ['web:app', 'sick', true],
      ['relay:lan', 'healthy', false],
    ]);
    const published = (await apiClient(vigil.url).request('/api/v1/maintenance')).json<{
      active: WindowView[];
      upcoming: WindowView[];
    }>();
    assert.deepEqual(
      [published.active.map((each) => each.id), published.upcoming.map((each) => each.title)],
      [[id], ['Relay swap']],
    );
    assert.equal(await (await fetch(`${vigil.url}/status/report`)).text(), reportBefore);

    const edited = await call(`/manager/maintenance/${id}/`, {
      method: 'PUT',
      body: activeBody({ title: 'Database move, part 2', nodes: ['relay:lan'] }),
    });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual(edited.json(), { id });
    const afterEdit = await listed();
    assert.deepEqual(
      afterEdit.map((each) => [each.id === id, each.title, each.nodes]),
      [
        [true, 'Database move, part 2', ['relay:lan']],
        [false, 'Relay swap', []],
      ],
    );
    const refused = await call(`/manager/maintenance/${id}/`, {
      method: 'PUT',
      body: activeBody({ ends_at: iso(Date.now() - 2 * HOUR) }),
    });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /ends_at/);
    assert.equal((await listed())[0]?.title, 'Database move, part 2', 'a refused edit changes nothing');
    const unknown = await call('/manager/maintenance/00000000-0000-4000-8000-000000000000/', {
      method: 'PUT',
      body: activeBody(),
    });
    assert.equal(unknown.status, 404);

    assert.equal((await call(`/manager/maintenance/${id}/`, { method: 'DELETE' })).status, 200);
    assert.equal((await call(`/manager/maintenance/${id}/`, { method: 'DELETE' })).status, 404);
    assert.deepEqual(
      (await listed()).map((each) => each.title),
      ['Relay swap'],
    );
  });

  test(`at most ${MAINTENANCE_WINDOWS_MAX} windows are upcoming or active: the next is 409`, async () => {
    const existing = (await listed()).length;
    for (let index = existing; index < MAINTENANCE_WINDOWS_MAX; index += 1) {
      assert.equal((await create(activeBody({ title: `w${index}` }))).status, 200);
    }
    const refused = await create(activeBody({ title: 'one too many' }));
    assert.equal(refused.status, 409);
    assert.match((refused.json() as { error: string }).error, /delete one first/);
    assert.equal((await listed()).length, MAINTENANCE_WINDOWS_MAX);
  });

  describe('after a restart', () => {
    test('the same windows, with the same ids', async () => {
      const before = await listed();
      await vigil.stop();
      vigil = await startStoredVigil(location, REPORTED_PROBES);
      assert.deepEqual(await listed(), before);
    });
  });
});
