import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { RunningVigil } from '../../src/main.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import { systemClock } from '../../src/time/clock.js';
import { sourcesFor } from '../helpers/model.js';
import { basicAuth } from '../helpers/server.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES, storageTable } from '../helpers/store-vigil.js';
import { startFullVigil } from '../helpers/vigil.js';

/**
 * Random and hostile requests against the reporter and manager APIs of a whole server on a real
 * store, then a check that the store still keeps what the server accepted. FUZZ_RUNS sets the number
 * of requests per engine (docs/reliability.md has the figures of a long run).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** Low, so the fuzz reaches the bound: reports that would add a replica past it must get 409. */
const REPLICAS_MAX = 40;
const ANNOUNCEMENTS_MAX = 100;
const INTERVAL_MAX = 365 * 24 * 3600;
const REPORTER = basicAuth('reporter-secret');
const MANAGER = basicAuth('manager-secret');
const NODES = { push: ['web', 'app'], local: ['relay', 'lan'] } as const;

type Expectation =
  /** Must succeed (200), unless the bound of its kind is reached (409). */
  | { kind: 'valid-report'; mode: 'push' | 'local'; replica: string }
  | { kind: 'valid-announcement' }
  /** Must be refused with 400 or, past the body limit, 413. */
  | { kind: 'invalid' }
  /** Flush of a replica that exists when the request runs: 200. */
  | { kind: 'flush-existing'; mode: 'push' | 'local'; pick: number }
  | { kind: 'delete-existing-announcement'; pick: number }
  /** Anything but a 5xx; unless 200, nothing changes. */
  | { kind: 'any' };

interface FuzzRequest {
  method: 'POST' | 'DELETE' | 'GET' | 'PUT';
  url: string;
  payload?: string;
  contentType?: string;
  authorization?: string;
  expect: Expectation;
}

// Characters every store keeps: none of C0, DEL, C1, nor half a surrogate pair.
const safeChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...'abcxyz019.-_:/ %?#&+=@[]{}"\'\\') },
  fc.integer({ min: 0xa0, max: 0xd7ff }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0xe000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);
const controlCode = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }),
  fc.constant(0x7f),
  fc.integer({ min: 0x80, max: 0x9f }),
);
const surrogateCode = fc.integer({ min: 0xd800, max: 0xdfff });
const badChar = fc.oneof(controlCode, surrogateCode).map((code) => String.fromCharCode(code));
/** Bad in a multi-line text: tab and line breaks are fine there. */
const badTextChar = fc
  .oneof(
    controlCode.filter((code) => code !== 0x09 && code !== 0x0a && code !== 0x0d),
    surrogateCode,
  )
  .map((code) => String.fromCharCode(code));
const text = (minLength: number, maxLength: number, char = safeChar) =>
  fc.array(char, { minLength, maxLength }).map((chars) => chars.join(''));
/** One bad character somewhere in an otherwise fine text. */
const spoiled = (base: fc.Arbitrary<string>, bad = badChar) =>
  fc.tuple(base, bad, fc.nat()).map(([value, bad, at]) => {
    const chars = Array.from(value);
    chars.splice(at % (chars.length + 1), 0, bad);
    return chars.join('');
  });

const validId = fc
  .oneof({ weight: 5, arbitrary: text(1, 24) }, text(250, 256))
  .filter((id) => id !== '.' && id !== '..');
const invalidId = fc.oneof(
  spoiled(text(0, 24)),
  text(257, 300),
  fc.constantFrom('\ud800', 'a\u0000', '\udfffz', '', '.', '..'),
);
const interval = fc.integer({ min: 0, max: INTERVAL_MAX });
const badInterval = fc.oneof(
  fc.integer({ min: INTERVAL_MAX + 1 }),
  fc.integer({ max: -1 }),
  fc.constantFrom(1e20, 2 ** 63, 30.5, '30', null),
);
const load = fc.record({
  cpu: fc.double({ min: 0, max: 1e6, noNaN: true }),
  ram: fc.double({ min: 0, max: 1e6, noNaN: true }),
});
const health = fc.constantFrom('healthy', 'sick', 'dead');

const reportUrl = (mode: 'push' | 'local') => `/reporter/${NODES[mode].join('/')}/`;
const json = (body: unknown) => JSON.stringify(body);
/** A JSON POST of the generated fields. */
const posting =
  (url: string, expect: Expectation) =>
  (fields: unknown): FuzzRequest => ({ method: 'POST', url, payload: json(fields), expect });

/** The field that makes a report a push (load) or a local (health) one. */
const reportKind = { push: fc.record({ load }), local: fc.record({ health }) } as const;
const validReportTo = (mode: 'push' | 'local') =>
  fc.tuple(fc.record({ replica: validId, interval }), reportKind[mode] as fc.Arbitrary<object>).map(
    ([base, kind]): FuzzRequest => ({
      method: 'POST',
      url: reportUrl(mode),
      payload: json({ ...base, ...kind }),
      expect: { kind: 'valid-report', mode, replica: base.replica },
    }),
  );
const validReport = fc.oneof(validReportTo('push'), validReportTo('local'));

/** A good push report with exactly one field made bad. */
const invalidReport = fc
  .oneof(
    fc.record({ replica: invalidId, interval, load }),
    fc.record({ replica: validId, interval: badInterval, load }),
    fc.record({
      replica: validId,
      interval,
      load: fc.record({ cpu: fc.double({ max: -1e-9 }), ram: fc.constant(0) }),
    }),
    fc.record({ replica: validId, interval }),
  )
  .map(posting(reportUrl('push'), { kind: 'invalid' }));

/** Whatever JSON, at valid and unknown nodes; the old fuzz's shapes plus raw bytes. */
const junkReport = fc
  .tuple(
    fc.oneof(
      fc.string(),
      fc.json(),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc
        .record(
          {
            replica: fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.constant(null)),
            interval: fc.oneof(fc.integer({ min: -10, max: 10_000 }), fc.double(), fc.string()),
            load: fc.oneof(load, fc.anything()),
            health: fc.oneof(health, fc.string()),
          },
          { requiredKeys: [] },
        )
        .map(json),
    ),
    fc.constantFrom(reportUrl('push'), reportUrl('local'), '/reporter/web/nope/', '/reporter/x/y/'),
    fc.constantFrom('application/json', 'application/vnd.x+json; charset=utf-8', 'text/plain'),
  )
  .map(
    ([payload, url, contentType]): FuzzRequest => ({
      method: 'POST',
      url,
      payload,
      contentType,
      expect: { kind: 'any' },
    }),
  );

/** Encodes each UTF-16 unit as UTF-8 would, lone surrogates included (what a sloppy client sends). */
function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return Array.from(value, (char) => {
      const code = char.charCodeAt(0);
      if (code < 0xd800 || code > 0xdfff || char.length === 2) return encodeURIComponent(char);
      return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    }).join('');
  }
}

const flushExisting = fc.tuple(fc.constantFrom('push' as const, 'local' as const), fc.nat()).map(
  ([mode, pick]): FuzzRequest => ({
    method: 'DELETE',
    url: '',
    expect: { kind: 'flush-existing', mode, pick },
  }),
);
const flushAnything = fc
  .tuple(
    fc.oneof(validId, invalidId, fc.string({ unit: 'binary', maxLength: 700 })),
    fc.constantFrom('web/app', 'relay/lan', 'x/y'),
  )
  .map(
    ([id, node]): FuzzRequest => ({
      method: 'DELETE',
      url: `/reporter/${node}/${encodeSegment(id)}/`,
      expect: { kind: 'any' },
    }),
  );

const title = text(1, 256);
const body = fc.oneof(
  {
    weight: 3,
    arbitrary: text(1, 200, fc.oneof({ weight: 8, arbitrary: safeChar }, fc.constantFrom('\n', '\t', '\r'))),
  },
  text(4000, 4096),
);
const validAnnouncement = fc
  .record(
    {
      title,
      text: body,
      severity: fc.constantFrom('info', 'warning', 'critical'),
      expires_in_seconds: fc.integer({ min: 60, max: 366 * 24 * 3600 }),
    },
    { requiredKeys: ['title', 'text'] },
  )
  .map(posting('/manager/announcement/', { kind: 'valid-announcement' }));
const invalidAnnouncement = fc
  .oneof(
    fc.record({
      title: fc.oneof(spoiled(title), fc.constant(''), text(257, 300), spoiled(fc.constant('x'))),
      text: body,
    }),
    fc.record({ title, text: fc.oneof(spoiled(body, badTextChar), fc.constant(''), text(16_385, 16_400)) }),
    fc
      .record({ title, text: body, severity: fc.string() })
      .filter(({ severity }) => !['info', 'warning', 'critical'].includes(severity)),
  )
  .map(posting('/manager/announcement/', { kind: 'invalid' }));
const junkManager = fc.oneof(
  fc
    .oneof(
      fc.json(),
      fc.string({ unit: 'binary' }),
      fc.record({ title: fc.anything(), text: fc.anything() }).map(json),
    )
    .map(
      (payload): FuzzRequest => ({
        method: 'POST',
        url: '/manager/announcement/',
        payload,
        expect: { kind: 'any' },
      }),
    ),
  fc.oneof(fc.uuid(), fc.string({ unit: 'binary', maxLength: 700 })).map(
    (id): FuzzRequest => ({
      method: 'DELETE',
      url: `/manager/announcement/${encodeSegment(id)}/`,
      expect: { kind: 'any' },
    }),
  ),
  fc.constant<FuzzRequest>({
    method: 'POST',
    url: '/manager/announcement/',
    payload: json({ title: 't', text: 'x' }),
    authorization: REPORTER,
    expect: { kind: 'any' },
  }),
);

/** Maintenance windows: every generated body breaks one rule, so none may be stored. */
const HOUR_MS = 3_600_000;
const inAnHour = () => new Date(Date.now() + HOUR_MS).toISOString();
const inTwoHours = () => new Date(Date.now() + 2 * HOUR_MS).toISOString();
/** Anything but a configured service or `service:node`. */
const unknownTarget = fc
  .string({ maxLength: 20 })
  .filter((value) => !['web', 'relay', 'web:app', 'relay:lan'].includes(value));
const notATime = fc.string().filter((value) => Number.isNaN(Date.parse(value)) || !value.includes('T'));
const invalidMaintenance = fc
  .oneof(
    fc.record({ title: fc.oneof(spoiled(title), fc.constant(''), text(257, 300)), text: body }),
    fc.record({ title, text: fc.oneof(spoiled(body, badTextChar), fc.constant(''), text(16_385, 16_400)) }),
    fc.record({ title, text: body, starts_at: notATime }),
    fc.record({ title, text: body, ends_at: notATime }),
    fc.record({ title, text: body, nodes: fc.array(unknownTarget, { maxLength: 3 }) }),
    fc.record({ title, text: body, services: fc.array(unknownTarget, { maxLength: 3 }) }),
  )
  .map((fields) => ({
    starts_at: inAnHour(),
    ends_at: inTwoHours(),
    ...fields,
    nodes: 'nodes' in fields ? fields.nodes : [],
  }))
  .map(posting('/manager/maintenance/', { kind: 'invalid' }));
const junkMaintenance = fc.oneof(
  fc
    .oneof(
      fc.json(),
      fc.string({ unit: 'binary' }),
      fc.record({ title: fc.anything(), starts_at: fc.anything(), nodes: fc.anything() }).map(json),
    )
    .map(
      (payload): FuzzRequest => ({
        method: 'POST',
        url: '/manager/maintenance/',
        payload,
        expect: { kind: 'any' },
      }),
    ),
  fc.oneof(fc.uuid(), fc.string({ unit: 'binary', maxLength: 700 })).map(
    (id): FuzzRequest => ({
      method: 'DELETE',
      url: `/manager/maintenance/${encodeSegment(id)}/`,
      expect: { kind: 'any' },
    }),
  ),
  fc
    .tuple(
      fc.oneof(fc.uuid(), fc.string({ unit: 'binary', maxLength: 700 })),
      fc.oneof(fc.json(), fc.string()),
    )
    .map(
      ([id, payload]): FuzzRequest => ({
        method: 'PUT',
        url: `/manager/maintenance/${encodeSegment(id)}/`,
        payload,
        expect: { kind: 'any' },
      }),
    ),
);

const deleteExisting = fc.nat().map(
  (pick): FuzzRequest => ({
    method: 'DELETE',
    url: '',
    expect: { kind: 'delete-existing-announcement', pick },
  }),
);

// Removals nearly as likely as additions: the bounds are reached now and then, not held for the whole run.
const requests = fc.oneof(
  { weight: 6, arbitrary: validReport },
  { weight: 3, arbitrary: invalidReport },
  { weight: 3, arbitrary: junkReport },
  { weight: 5, arbitrary: flushExisting },
  { weight: 2, arbitrary: flushAnything },
  { weight: 3, arbitrary: validAnnouncement },
  { weight: 2, arbitrary: deleteExisting },
  { weight: 2, arbitrary: invalidAnnouncement },
  { weight: 2, arbitrary: junkManager },
  { weight: 2, arbitrary: invalidMaintenance },
  { weight: 1, arbitrary: junkMaintenance },
);

/** Push and local replicas as the model holds them, and the announcement ids: what a refused request must not change. */
function replicaIds(vigil: RunningVigil, mode: 'push' | 'local'): string[] {
  const [service, node] = NODES[mode];
  return [...(vigil.model.node(service, node)?.replicas.keys() ?? [])];
}

async function announcementIds(vigil: RunningVigil): Promise<string[]> {
  const response = await vigil.app.inject({
    method: 'GET',
    url: '/manager/announcements/',
    headers: { authorization: MANAGER },
  });
  return (response.json() as Array<{ id: string }>).map(({ id }) => id);
}

async function snapshot(vigil: RunningVigil) {
  const reports = (['push', 'local'] as const).map((mode) => {
    const [service, node] = NODES[mode];
    return [...(vigil.model.node(service, node)?.replicas.values() ?? [])].map(({ id, report, load }) => ({
      id,
      report,
      load,
    }));
  });
  const maintenance = await vigil.app.inject({
    method: 'GET',
    url: '/manager/maintenances/',
    headers: { authorization: MANAGER },
  });
  return JSON.stringify({
    reports,
    announcements: await announcementIds(vigil),
    maintenance: maintenance.body,
  });
}

/** Fills in the target of requests about what exists at the time they run. */
async function resolve(vigil: RunningVigil, request: FuzzRequest): Promise<FuzzRequest> {
  const { expect } = request;
  if (expect.kind === 'flush-existing') {
    const ids = replicaIds(vigil, expect.mode);
    const id = ids[expect.pick % Math.max(ids.length, 1)];
    if (id === undefined)
      return { ...request, url: `${reportUrl(expect.mode)}none/`, expect: { kind: 'any' } };
    return { ...request, url: `${reportUrl(expect.mode)}${encodeSegment(id)}/` };
  }
  if (expect.kind === 'delete-existing-announcement') {
    const ids = await announcementIds(vigil);
    const id = ids[expect.pick % Math.max(ids.length, 1)];
    return {
      ...request,
      url: `/manager/announcement/${id ?? 'none'}/`,
      expect: id === undefined ? { kind: 'any' } : expect,
    };
  }
  return request;
}

/** The status a request must get, given the state before it; undefined when any non-5xx will do. */
async function expectedStatus(vigil: RunningVigil, expect: Expectation): Promise<number[] | undefined> {
  switch (expect.kind) {
    case 'valid-report': {
      const ids = replicaIds(vigil, expect.mode);
      return [!ids.includes(expect.replica) && ids.length >= REPLICAS_MAX ? 409 : 200];
    }
    case 'valid-announcement':
      return [(await announcementIds(vigil)).length >= ANNOUNCEMENTS_MAX ? 409 : 200];
    case 'invalid':
      return [400, 413];
    case 'flush-existing':
    case 'delete-existing-announcement':
      return [200];
    case 'any':
      return undefined;
  }
}

function fuzzConfig(location: StoreLocation): string {
  return `reported_replicas_max = ${REPLICAS_MAX}\n${storageTable(location, 'flush_interval = 1')}\n[probe]\n${REPORTED_PROBES}`;
}

describeEachEngine('reporter and manager APIs under fuzz', (engine) => {
  let location: StoreLocation;
  let vigil: RunningVigil;
  let stopped = false;
  before(async () => {
    location = await engine.freshLocation();
    vigil = await startFullVigil(fuzzConfig(location));
  });
  after(async () => {
    if (!stopped) await vigil.stop();
  });

  test(`${RUNS} requests: no 5xx, valid ones accepted, bad ones 4xx with a JSON error and no change; then the store keeps everything`, async (t) => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests, async (generated) => {
        const request = await resolve(vigil, generated);
        const expected = await expectedStatus(vigil, request.expect);
        const before = await snapshot(vigil);
        const isManager = request.url.startsWith('/manager/');
        const response = await vigil.app.inject({
          method: request.method,
          url: request.url,
          headers: {
            authorization: request.authorization ?? (isManager ? MANAGER : REPORTER),
            ...(request.payload === undefined
              ? {}
              : { 'content-type': request.contentType ?? 'application/json' }),
          },
          payload: request.payload,
          // Wrong tokens come from an address of their own: past the auth throttle's limit it answers
          // 429 to the sender, and the valid requests must keep their expected answers.
          remoteAddress: request.authorization === undefined ? '127.0.0.1' : '127.0.0.2',
        });
        const status = response.statusCode;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const what = `${request.method} ${request.url.slice(0, 120)} ${String(request.payload).slice(0, 200)} → ${status} ${response.body.slice(0, 200)}`;
        assert.ok(status < 500, what);
        if (expected) assert.ok(expected.includes(status), `expected ${expected.join(' or ')}: ${what}`);
        if (status !== 200) {
          assert.equal(typeof (JSON.parse(response.body) as { error?: unknown }).error, 'string', what);
          assert.equal(await snapshot(vigil), before, `state changed: ${what}`);
        }
      }),
      { numRuns: RUNS, includeErrorInReport: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );

    // A normal report and announcement after the storm: both must reach the store.
    const afterReport = await vigil.app.inject({
      method: 'POST',
      url: reportUrl('local'),
      headers: { authorization: REPORTER, 'content-type': 'application/json' },
      payload: json({ replica: 'after-fuzz', interval: 30, health: 'sick' }),
    });
    assert.ok([200, 409].includes(afterReport.statusCode));
    if (afterReport.statusCode === 409) {
      const [first = ''] = replicaIds(vigil, 'local');
      assert.equal(sourcesFor(vigil.model, systemClock).flush('relay', 'lan', first), 'ok');
    }
    assert.equal(
      (
        await vigil.app.inject({
          method: 'POST',
          url: reportUrl('local'),
          headers: { authorization: REPORTER, 'content-type': 'application/json' },
          payload: json({ replica: 'after-fuzz', interval: 30, health: 'sick' }),
        })
      ).statusCode,
      200,
    );
    const ids = await announcementIds(vigil);
    if (ids.length >= ANNOUNCEMENTS_MAX) {
      await vigil.app.inject({
        method: 'DELETE',
        url: `/manager/announcement/${ids[0]}/`,
        headers: { authorization: MANAGER },
      });
    }
    const announced = await vigil.app.inject({
      method: 'POST',
      url: '/manager/announcement/',
      headers: { authorization: MANAGER, 'content-type': 'application/json' },
      payload: json({ title: 'After the fuzz', text: 'still stored' }),
    });
    assert.equal(announced.statusCode, 200, announced.body);

    const held = (['push', 'local'] as const).flatMap((mode) =>
      replicaIds(vigil, mode).map((id) => `${NODES[mode].join('/')}/${id}`),
    );
    const announcements = await announcementIds(vigil);
    stopped = true;
    await vigil.stop();
    const store = await openStore(location);
    try {
      const stored = (await store.replicas.list()).map(
        ({ serviceId, nodeId, replicaId }) => `${serviceId}/${nodeId}/${replicaId}`,
      );
      assert.ok(stored.includes('relay/lan/after-fuzz'), 'the report after the fuzz is stored');
      assert.deepEqual(stored.sort(), held.sort(), 'every replica the server held is stored, and no other');
      assert.deepEqual(
        (await store.announcements.list()).map(({ id }) => id),
        announcements,
        'every current announcement is stored',
      );
      assert.ok((await store.announcements.list()).some(({ title }) => title === 'After the fuzz'));
    } finally {
      await store.close();
    }
    t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  });
});
