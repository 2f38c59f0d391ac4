import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { RunningVigil } from '../../src/main.js';
import { MANAGER_AUTH as MANAGER, managerPoster } from '../helpers/manager-call.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES, startStoredVigil } from '../helpers/store-vigil.js';

/** Requests per engine; FUZZ_RUNS raises it for a long run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
/** Text every rule accepts, markup included. */
const fine = fc.stringMatching(/^[a-zA-Z0-9 .,;:!?<>&"'é€-]{1,60}$/);
const status = fc.constantFrom(...STATUSES);
const affected = {
  services: fc.array(fc.constantFrom('web', 'relay'), { maxLength: 3 }),
  nodes: fc.array(fc.constantFrom('web:app', 'relay:lan'), { maxLength: 3 }),
};

type Call =
  | { kind: 'declare'; body: unknown; valid: boolean }
  | { kind: 'update'; pick: number; unknown: boolean; body: unknown; valid: boolean };

/** Anything at all: most of it must be refused, none of it may break the server. */
const junk = fc.oneof(
  fc.anything(),
  fc.record(
    {
      title: fc.oneof(fine, fc.string({ unit: 'binary', maxLength: 300 }), fc.anything()),
      message: fc.oneof(fine, fc.string({ unit: 'binary', maxLength: 300 }), fc.anything()),
      status: fc.oneof(status, fc.string()),
      services: fc.oneof(affected.services, fc.array(fc.string(), { maxLength: 3 }), fc.anything()),
      nodes: fc.oneof(affected.nodes, fc.anything()),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  ),
);
const declaration = (body: fc.Arbitrary<unknown>, valid: boolean) =>
  body.map((each): Call => ({ kind: 'declare', body: each, valid }));
const updateOf = (body: fc.Arbitrary<unknown>, valid: boolean) =>
  fc
    .tuple(fc.nat(), fc.boolean(), body)
    .map(([pick, unknown, each]): Call => ({ kind: 'update', pick, unknown, body: each, valid }));
const calls = fc.oneof(
  declaration(
    fc.record({ title: fine, message: fine, status, ...affected }, { requiredKeys: ['title', 'message'] }),
    true,
  ),
  declaration(junk, false),
  updateOf(fc.record({ status, message: fine }), true),
  updateOf(junk, false),
);

describeEachEngine('manager API incidents under random requests', (engine) => {
  let vigil: RunningVigil;
  before(async () => {
    vigil = await startStoredVigil(await engine.freshLocation(), REPORTED_PROBES);
  });
  after(() => vigil.stop());

  const post = managerPoster(() => vigil.url);

  test('no 5xx; what is accepted is stored, what is refused changes nothing', async () => {
    /** Updates per accepted incident, its declaration included. */
    const accepted = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(calls, async (call) => {
        const shown = JSON.stringify(call.body)?.slice(0, 200);
        if (call.kind === 'declare') {
          const { status: code, json } = await post('/manager/incident', call.body);
          assert.ok([200, 400, 409].includes(code), `${code} for ${shown}`);
          if (call.valid) assert.ok(code === 200 || code === 409, `${code} for ${shown}: ${json.error}`);
          if (code === 200 && json.id) accepted.set(json.id, 1);
          else assert.equal(typeof json.error, 'string');
          return;
        }
        const ids = [...accepted.keys()];
        const id = call.unknown ? UNKNOWN_ID : (ids[call.pick % Math.max(1, ids.length)] ?? UNKNOWN_ID);
        const { status: code } = await post(`/manager/incident/${id}/update`, call.body);
        assert.ok([200, 400, 404, 409].includes(code), `${code} for ${shown}`);
        if (call.valid) assert.ok(accepted.has(id) ? code === 200 || code === 409 : code === 404, `${code}`);
        if (code === 200) accepted.set(id, (accepted.get(id) ?? 0) + 1);
      }),
      { numRuns: RUNS, ...(SEED !== undefined && { seed: SEED }) },
    );

    assert.ok(accepted.size > 0, 'the fuzz declared some incidents');
    const stored = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const query = `?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await fetch(`${vigil.url}/manager/incidents/${query}`, {
        headers: { Authorization: MANAGER },
      });
      const page = (await response.json()) as {
        incidents: Array<{ id: string; updates: unknown[] }>;
        next_cursor: string | null;
      };
      for (const incident of page.incidents) stored.set(incident.id, incident.updates.length);
      cursor = page.next_cursor;
    } while (cursor !== null);
    assert.deepEqual(stored, accepted);
  });
});
