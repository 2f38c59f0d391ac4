import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningVigil } from '../../src/main.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { apiClient } from '../helpers/api-contract.js';
import {
  MANAGER_AUTH as MANAGER,
  type ManagerCall,
  managerCaller,
  managerPoster,
  UUID_V4,
} from '../helpers/manager-call.js';
import { basicAuth, startTestServer } from '../helpers/server.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES, startStoredVigil } from '../helpers/store-vigil.js';
import { pushReport, waitFor } from '../helpers/vigil.js';

interface UpdateView {
  id: string;
  at: string;
  status: string;
  message: string;
}

interface IncidentView {
  id: string;
  origin: 'declared' | 'detected';
  title: string | null;
  status: string | null;
  active: boolean;
  started_at: string;
  ended_at: string | null;
  services: string[];
  nodes: string[];
  detected: { scope: string; worst: string; replicas: string[] } | null;
  updates: UpdateView[];
}

interface IncidentList {
  incidents: IncidentView[];
  next_cursor: string | null;
}

describeEachEngine('manager API: incidents with updates', (engine) => {
  let location: StoreLocation;
  let vigil: RunningVigil;

  const request = managerCaller(() => vigil.url);
  /** A GET, or a POST when there is a body. */
  async function call(path: string, options: ManagerCall = {}) {
    const withBody = options.body !== undefined || options.raw !== undefined;
    const response = await request(path, { method: withBody ? 'POST' : 'GET', ...options });
    return { ...response, json: <T>() => response.json() as T };
  }

  const list = async (query = '') => (await call(`/manager/incidents/${query}`)).json<IncidentList>();
  const declared = async () =>
    (await list('?limit=100')).incidents.filter((each) => each.origin === 'declared');

  before(async () => {
    location = await engine.freshLocation();
    vigil = await startStoredVigil(location, REPORTED_PROBES);
  });
  after(() => vigil.stop());

  test('an incident declared, then updated three times, keeps its timeline, and survives a restart', async () => {
    const created = await call('/manager/incident/', {
      body: {
        title: 'Checkout errors',
        status: 'investigating',
        message: 'Some payments fail.\nWe are looking into it.',
        services: ['web', 'web'],
        nodes: ['relay:lan', 'relay:lan'],
      },
    });
    assert.equal(created.status, 200);
    const { id } = created.json<{ id: string }>();
    assert.match(id, UUID_V4);

    const steps = [
      ['identified', 'A bad deploy; rolling back.'],
      ['monitoring', 'Rolled back; watching the error rate.'],
      ['resolved', 'Payments work again.'],
    ] as const;
    for (const [status, message] of steps) {
      const updated = await call(`/manager/incident/${id}/update/`, { body: { status, message } });
      assert.equal(updated.status, 200, status);
      assert.match(updated.json<{ id: string }>().id, UUID_V4);
    }

    const check = (incident: IncidentView | undefined) => {
      assert.ok(incident);
      assert.equal(incident.origin, 'declared');
      assert.equal(incident.title, 'Checkout errors');
      assert.equal(incident.status, 'resolved');
      assert.equal(incident.active, false);
      assert.deepEqual(incident.services, ['web']);
      assert.deepEqual(incident.nodes, ['relay:lan']);
      assert.equal(incident.detected, null);
      assert.deepEqual(
        incident.updates.map(({ status, message }) => [status, message]),
        [['investigating', 'Some payments fail.\nWe are looking into it.'], ...steps],
      );
      const times = incident.updates.map((update) => Date.parse(update.at));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        'oldest first',
      );
      assert.equal(incident.ended_at, incident.updates.at(-1)?.at, 'ended when resolved');
      assert.equal(incident.started_at, incident.updates[0]?.at);
    };
    check((await declared()).find((each) => each.id === id));
    check((await call(`/manager/incident/${id}/`)).json<IncidentView>());

    await vigil.stop();
    vigil = await startStoredVigil(location, REPORTED_PROBES);
    check((await call(`/manager/incident/${id}`)).json<IncidentView>());
  });

  test('a resolved incident reopens with a later update; status defaults to investigating', async () => {
    const { id } = (
      await call('/manager/incident', { body: { title: 'Slow search', message: 'Slower than usual.' } })
    ).json<{
      id: string;
    }>();
    const view = async () => (await call(`/manager/incident/${id}`)).json<IncidentView>();
    assert.equal((await view()).status, 'investigating');
    assert.equal(
      (await call(`/manager/incident/${id}/update`, { body: { status: 'resolved', message: 'Fixed.' } }))
        .status,
      200,
    );
    const resolved = await view();
    assert.equal(resolved.active, false);
    assert.equal(
      (
        await call(`/manager/incident/${id}/update`, {
          body: { status: 'resolved', message: 'Post-mortem: …' },
        })
      ).status,
      200,
    );
    assert.equal((await view()).ended_at, resolved.ended_at, 'a later note keeps the resolution time');
    assert.equal(
      (await call(`/manager/incident/${id}/update`, { body: { status: 'identified', message: 'Back.' } }))
        .status,
      200,
    );
    const reopened = await view();
    assert.equal(reopened.active, true);
    assert.equal(reopened.ended_at, null);
    assert.equal(reopened.status, 'identified');
  });

  test('bad requests get 400 naming the field, and change nothing', async () => {
    const before = await declared();
    const long = 'x'.repeat(257);
    const cases: Array<[unknown, RegExp]> = [
      [{ message: 'm' }, /body must have required property 'title'/],
      [{ title: 't' }, /body must have required property 'message'/],
      [{ title: '', message: 'm' }, /body\/title must have at least 1 character/],
      [{ title: long, message: 'm' }, /body\/title must have at most 256 characters, got 257/],
      [{ title: 't', message: '' }, /body\/message must have at least 1 character/],
      [{ title: 't', message: 'x'.repeat(16 * 1024 + 1) }, /body\/message must be at most 16384 bytes/],
      [{ title: 't', message: 'nul \u0000 inside' }, /body\/message must be well-formed Unicode/],
      [
        { title: 'tab\there', message: 'm' },
        /body\/title must be well-formed Unicode without control characters/,
      ],
      [
        { title: 't', message: 'm', status: 'fixed' },
        /body\/status must be one of investigating, identified, monitoring, resolved/,
      ],
      [{ title: 't', message: 'm', severity: 'high' }, /body has an unknown field: "severity"/],
      [{ title: 't', message: 'm', services: ['nope'] }, /body\/services\/0 is not a configured service/],
      [{ title: 't', message: 'm', services: 'web' }, /body\/services must be array/],
      [
        { title: 't', message: 'm', nodes: ['web:app', 'web:lan'] },
        /body\/nodes\/1 is not a configured node, written as service:node/,
      ],
      [{ title: 't', message: 'm', nodes: ['web'] }, /body\/nodes\/0 is not a configured node/],
      [
        { title: 't', message: 'm', nodes: [{ service: 'web', node: 'app' }] },
        /body\/nodes\/0 must be string/,
      ],
      [
        { title: 't', message: 'm', services: Array.from({ length: 101 }, () => 'web') },
        /body\/services must NOT have more than 100 items/,
      ],
      [{ title: 7, message: 'm' }, /body\/title must be string/],
    ];
    for (const [body, error] of cases) {
      const response = await call('/manager/incident', { body });
      assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(response.json<{ error: string }>().error, error);
    }
    const notJson = await call('/manager/incident', { raw: '{"title": ' });
    assert.equal(notJson.status, 400);

    const [some] = before;
    assert.ok(some);
    const updates: Array<[unknown, RegExp]> = [
      [{ message: 'm' }, /body must have required property 'status'/],
      [{ status: 'resolved' }, /body must have required property 'message'/],
      [{ status: 'done', message: 'm' }, /body\/status must be one of/],
      [{ status: 'resolved', message: 'm', title: 'x' }, /body has an unknown field: "title"/],
      [{ status: 'resolved', message: ' \ud800' }, /body\/message must be well-formed Unicode/],
    ];
    for (const [body, error] of updates) {
      const response = await call(`/manager/incident/${some.id}/update`, { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(response.json<{ error: string }>().error, error);
    }
    assert.deepEqual(await declared(), before);
  });

  test('unknown incidents are 404, whatever the id holds', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'a%00b', '%F0%9F%92%A5', 'x'.repeat(300)]) {
      const update = await call(`/manager/incident/${id}/update`, {
        body: { status: 'resolved', message: 'm' },
      });
      assert.equal(update.status, 404, id);
      assert.deepEqual(update.json(), { error: 'unknown incident' });
      assert.equal((await call(`/manager/incident/${id}`)).status, 404, id);
    }
  });

  test('every incident route needs the manager token', async () => {
    const routes: Array<[string, unknown?]> = [
      ['/manager/incidents/'],
      ['/manager/incident/some-id/'],
      ['/manager/incident/', { title: 't', message: 'm' }],
      ['/manager/incident/some-id/update/', { status: 'resolved', message: 'm' }],
    ];
    for (const [path, body] of routes) {
      const anonymous = await call(path, { body, auth: null });
      assert.equal(anonymous.status, 401, path);
      assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Reporter Token"');
      assert.equal((await call(path, { body, auth: basicAuth('reporter-secret') })).status, 403, path);
    }
  });

  test('an incident Vigil TS opened is listed with its id and annotated by posting an update to it', async () => {
    // A push report over the CPU bound makes the node sick: the tracker opens an incident.
    assert.equal(await pushReport(vigil, 'web/app', 'host-1', { cpu: 0.99, ram: 0.1 }), 200);
    let detected: IncidentView | undefined;
    await waitFor('the detected incident in the list', async () => {
      detected = (await list('?limit=100')).incidents.find((each) => each.origin === 'detected');
      return detected !== undefined;
    });
    assert.ok(detected);
    assert.equal(detected.active, true);
    assert.equal(detected.status, null, 'nobody said anything yet');
    assert.deepEqual(detected.nodes, ['web:app']);
    assert.deepEqual(detected.detected, { scope: 'node', worst: 'sick', replicas: ['web:app:host-1'] });
    const publicIds = (await apiClient(vigil.url).request('/api/v1/incidents?scope=node'))
      .json<{ items: Array<{ id: string }> }>()
      .items.map((item) => item.id);
    assert.ok(publicIds.includes(detected.id), '/api/v1 shows the same id');
    // Only node incidents are listed until someone annotates the page-wide one.
    assert.equal(
      (await list('?limit=100')).incidents.filter((each) => each.detected?.scope === 'page').length,
      0,
    );

    const note = await call(`/manager/incident/${detected.id}/update`, {
      body: { status: 'identified', message: 'A batch job hogs the CPU.' },
    });
    assert.equal(note.status, 200);
    const annotated = (await call(`/manager/incident/${detected.id}`)).json<IncidentView>();
    assert.equal(annotated.status, 'identified');
    assert.equal(annotated.active, true, 'a detected incident lasts as long as the node is unhealthy');
    assert.deepEqual(
      annotated.updates.map(({ status, message }) => [status, message]),
      [['identified', 'A batch job hogs the CPU.']],
    );
  });

  test('the list pages through every incident, newest first, and refuses bad cursors and limits', async () => {
    for (let index = 0; index < 3; index++) {
      assert.equal(
        (await call('/manager/incident', { body: { title: `Paged ${index}`, message: 'm' } })).status,
        200,
      );
    }
    const everything = (await list('?limit=100')).incidents;
    const seen: IncidentView[] = [];
    let cursor: string | null = null;
    do {
      const page: IncidentList = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.incidents.length <= 2);
      seen.push(...page.incidents);
      cursor = page.next_cursor;
    } while (cursor !== null);
    assert.deepEqual(
      seen.map((each) => each.id),
      everything.map((each) => each.id),
    );
    const starts = everything.map((each) => Date.parse(each.started_at));
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => b - a),
    );
    assert.equal(
      everything
        .slice(0, 3)
        .map((each) => each.title)
        .join(),
      'Paged 2,Paged 1,Paged 0',
    );

    for (const query of ['?limit=0', '?limit=101', '?cursor=bad!', '?cursor=e30', '?other=1']) {
      assert.equal((await call(`/manager/incidents${query}`)).status, 400, query);
    }
  });
});

describeEachEngine(
  'manager API: incident bounds',
  (engine) => {
    let vigil: RunningVigil;
    before(async () => {
      vigil = await startStoredVigil(await engine.freshLocation(), REPORTED_PROBES);
    });
    after(() => vigil.stop());

    const post = managerPoster(() => vigil.url);

    test('at most 100 unresolved incidents and 100 updates per incident: then 409, and nothing stored', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 100; index++) {
        const created = await post('/manager/incident', { title: `#${index}`, message: 'm' });
        assert.equal(created.status, 200);
        ids.push(created.json.id ?? '');
      }
      const refused = await post('/manager/incident', { title: 'one too many', message: 'm' });
      assert.equal(refused.status, 409);
      assert.match(refused.json.error ?? '', /100 unresolved incidents/);
      // Resolving one makes room; an incident declared already resolved never counts.
      const [first = '', second = ''] = ids;
      assert.equal(
        (await post(`/manager/incident/${first}/update`, { status: 'resolved', message: 'm' })).status,
        200,
      );
      assert.equal((await post('/manager/incident', { title: 'room', message: 'm' })).status, 200);
      assert.equal(
        (await post('/manager/incident', { title: 'old news', status: 'resolved', message: 'm' })).status,
        200,
      );
      // Reopening counts as declaring.
      assert.equal(
        (await post(`/manager/incident/${first}/update`, { status: 'monitoring', message: 'm' })).status,
        409,
      );

      for (let index = 1; index < 100; index++) {
        assert.equal(
          (await post(`/manager/incident/${second}/update`, { status: 'monitoring', message: `${index}` }))
            .status,
          200,
        );
      }
      const full = await post(`/manager/incident/${second}/update`, { status: 'resolved', message: 'm' });
      assert.equal(full.status, 409);
      assert.match(full.json.error ?? '', /100 updates/);
      const view = (await (
        await fetch(`${vigil.url}/manager/incident/${second}`, { headers: { Authorization: MANAGER } })
      ).json()) as IncidentView;
      assert.equal(view.updates.length, 100);
      assert.equal(view.status, 'monitoring');
    });
  },
  ['sqlite'],
);

describe('the incident routes without a store', () => {
  test('are not there', async () => {
    const server = await startTestServer(REPORTED_PROBES);
    try {
      const response = await fetch(`${server.url}/manager/incidents/`, {
        headers: { Authorization: MANAGER },
      });
      assert.equal(response.status, 404);
    } finally {
      await server.close();
    }
  });
});
