import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { MIXED_PROBES } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { basicAuth, startTestServer } from '../helpers/server.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
const clock = new FakeClock();
before(async () => {
  server = await startTestServer(MIXED_PROBES, { clock });
});
after(() => server.close());

const authorization = basicAuth('reporter-secret');

test('arbitrary bodies never crash the reporter API, and only a 200 changes state', async () => {
  const bodies = fc.oneof(
    fc.string(),
    fc.json(),
    fc
      .record(
        {
          replica: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          interval: fc.oneof(fc.integer({ min: -10, max: 10_000 }), fc.double(), fc.string()),
          load: fc.oneof(fc.record({ cpu: fc.double(), ram: fc.double() }), fc.anything()),
          health: fc.oneof(fc.constantFrom('healthy', 'sick', 'dead'), fc.string()),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value)),
  );
  const paths = fc.constantFrom(
    '/reporter/web/app/',
    '/reporter/internal/gateway/',
    '/reporter/web/api/',
    '/reporter/x/y/',
  );
  await fc.assert(
    fc.asyncProperty(bodies, paths, async (body, url) => {
      const before = server.model.node('web', 'app')?.replicas.size ?? 0;
      const beforeLocal = server.model.node('internal', 'gateway')?.replicas.size ?? 0;
      const response = await server.app.inject({
        method: 'POST',
        url,
        headers: { authorization, 'content-type': 'application/json' },
        payload: body,
      });
      assert.ok(
        [200, 400, 404, 412, 413].includes(response.statusCode),
        `status ${response.statusCode} for ${body}`,
      );
      if (response.statusCode !== 200) {
        assert.equal(server.model.node('web', 'app')?.replicas.size, before);
        assert.equal(server.model.node('internal', 'gateway')?.replicas.size, beforeLocal);
        assert.equal(typeof JSON.parse(response.body).error, 'string');
      }
    }),
    { numRuns: 400 },
  );
});

test('a push replica reported over HTTP turns dead on /status/text at interval + push_delay_dead', async () => {
  const report = await fetch(`${server.url}/reporter/web/app/`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify({ replica: 'deadline-check', interval: 30, load: { cpu: 0.1, ram: 0.1 } }),
  });
  assert.equal(report.status, 200);
  for (const replica of server.model.node('web', 'app')?.replicas.keys() ?? []) {
    if (replica !== 'deadline-check') server.observe.flush('web', 'app', replica);
  }
  for (const replica of server.model.node('internal', 'gateway')?.replicas.keys() ?? []) {
    server.observe.flush('internal', 'gateway', replica);
  }
  assert.equal(await (await fetch(`${server.url}/status/text`)).text(), 'healthy');
  clock.advance(49_999);
  assert.equal(await (await fetch(`${server.url}/status/text`)).text(), 'healthy');
  clock.advance(1);
  assert.equal(await (await fetch(`${server.url}/status/text`)).text(), 'dead');
});
