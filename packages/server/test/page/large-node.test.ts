import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPLICA_BOXES_MAX } from '../../src/web/page/services.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/vigil.js';

const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "small"
label = "Small"
mode = "push"
[[probe.service.node]]
id = "fleet"
label = "Fleet"
mode = "push"
reveal_replica_name = true
`;
const LOAD = { cpu: 0.1, ram: 0.1 };

test('a node past REPLICA_BOXES_MAX shows its counts and its unhealthy replicas at their positions', async () => {
  // 0 s of grace: a report with interval 0 is past its deadline at once, i.e. dead.
  const server = await startTestServer(PROBES, { metrics: 'push_delay_dead = 0' });
  try {
    for (let index = 1; index <= 3; index += 1) server.observe.push('web', 'small', `s-${index}`, 30, LOAD);
    const size = REPLICA_BOXES_MAX + 50;
    for (let position = 1; position <= size; position += 1) {
      const dies = position === 10 || position === 120;
      server.observe.push('web', 'fleet', `host-${position}`, dies ? 0 : 30, LOAD);
    }
    await waitFor('two replicas to die', () => server.model.node('web', 'fleet')?.counts.of('dead') === 2);
    const page = await (await fetch(`${server.url}/`)).text();
    const fleet = page.slice(page.indexOf('aria-label="Fleet replicas"'));
    assert.ok(fleet.includes(`${size - 2} healthy, 2 dead replicas</li>`), 'counts');
    const boxes = [...fleet.matchAll(/aria-describedby="t-0-1-\d+">(\d+)<span class="sr"> (\w+)/g)];
    assert.deepEqual(
      boxes.map((match) => [match[1], match[2]]),
      [
        ['10', 'dead'],
        ['120', 'dead'],
      ],
    );
    assert.ok(fleet.includes('<code>host-120</code>'));
    // A small node keeps one box per replica, as in Vigil.
    const small = page.slice(
      page.indexOf('aria-label="Small replicas"'),
      page.indexOf('aria-label="Fleet replicas"'),
    );
    assert.equal([...small.matchAll(/class="replica-box /g)].length, 3);
    assert.ok(!small.includes('replica-summary'));
  } finally {
    await server.close();
  }
});
