import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningVigil } from '../../src/main.js';
import { publishMessages, type RabbitBroker, readyMessages, startRabbitmq } from '../helpers/rabbitmq.js';
import { pushReport, startFullVigil, waitFor } from '../helpers/vigil.js';

const QUEUE = 'vigil-jobs';
// The default vhost `/`, written `%2F` as Vigil's docs require (it is inserted into the URL raw).
const VHOST_IN_URL = '%2F';

describe('RabbitMQ plugin against a real broker with the management plugin', () => {
  let broker: RabbitBroker;
  let vigil: RunningVigil;

  before(async () => {
    broker = await startRabbitmq();
    const created = await broker.api('PUT', `/api/queues/${VHOST_IN_URL}/${QUEUE}`, { durable: false });
    assert.equal(created.status, 201);
    vigil = await startFullVigil(`
[plugins.rabbitmq]
api_url = "${broker.apiUrl}/ignored/path"
auth_username = "${broker.username}"
auth_password = "${broker.password}"
virtualhost = "${VHOST_IN_URL}"
queue_ready_healthy_below = 3
queue_nack_healthy_below = 100
queue_ready_dead_above = 6
queue_nack_dead_above = 100

[probe]
[[probe.service]]
id = "workers"
label = "Workers"
[[probe.service.node]]
id = "jobs"
label = "Jobs"
mode = "push"
rabbitmq_queue = "${QUEUE}"
`);
  });

  after(async () => {
    await vigil?.stop();
    await broker?.stop();
  });

  const readyInApi = () => readyMessages(broker, VHOST_IN_URL, QUEUE);
  const publish = (count: number) => publishMessages(broker, VHOST_IN_URL, QUEUE, count);

  /** Reports once the API shows `ready` messages, then waits for the node to reach `expected`. */
  async function reportAndExpect(ready: number, expected: string) {
    await waitFor(
      `${ready} ready messages in the management API`,
      async () => (await readyInApi()) === ready,
      20_000,
    );
    assert.equal(await pushReport(vigil, 'workers/jobs', 'worker-1'), 200);
    const node = () => vigil.model.node('workers', 'jobs');
    await waitFor(`node ${expected} with ${ready} ready`, () => {
      const replica = node()?.replicas.get('worker-1');
      return node()?.health === expected && replica?.queue?.ready === ready;
    });
    const report = (await (await fetch(`${vigil.url}/status/report`)).json()) as {
      probes: Array<{ nodes: Array<{ status: string; replicas: string[] }> }>;
    };
    assert.deepEqual(report.probes[0]?.nodes[0], { name: 'Jobs', status: expected, replicas: [expected] });
  }

  test('an empty queue keeps the push node healthy, with its counts known', async () => {
    await reportAndExpect(0, 'healthy');
    assert.deepEqual(vigil.model.node('workers', 'jobs')?.replicas.get('worker-1')?.queue, {
      loaded: false,
      stalled: false,
      ready: 0,
      nack: 0,
    });
  });

  test('ready >= queue_ready_healthy_below makes the node sick', async () => {
    await publish(3);
    await reportAndExpect(3, 'sick');
  });

  test('ready > queue_ready_dead_above makes it dead', async () => {
    await publish(4);
    await reportAndExpect(7, 'dead');
  });

  test('a drained queue makes it healthy again', async () => {
    const purged = await broker.api('DELETE', `/api/queues/${VHOST_IN_URL}/${QUEUE}/contents`);
    assert.equal(purged.status, 204);
    await reportAndExpect(0, 'healthy');
  });
});
