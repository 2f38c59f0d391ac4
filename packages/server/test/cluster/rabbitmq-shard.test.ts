import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { rendezvousOwner } from '../../src/cluster/probe-shard.js';
import { exited } from '../helpers/cli.js';
import { publishMessages, readyMessages, startRabbitmq } from '../helpers/rabbitmq.js';
import { clusterHarness, LEASE_S, type Member, waitUntil } from './harness.js';

/**
 * The RabbitMQ queue check in a cluster: the push node's queue is checked by one member, the
 * node's rendezvous owner, on every member's reports, and its verdict shows on every member's page.
 * Each member reaches the real broker's management API through its own loopback relay, so the test
 * sees who asked. When the owner is killed -9, the member that owns the node next checks it.
 */
const QUEUE = 'vigil-jobs';
const VHOST_IN_URL = '%2F';
const WAIT_MS = 30_000;
const REPORT_EVERY_MS = 300;
const IDS = ['m1', 'm2', 'm3'];

const broker = await startRabbitmq();
after(() => broker.stop());
const harness = await clusterHarness();

/** A relay to the broker's management API that counts the requests it passes on. */
async function startRelay(): Promise<{ url: string; hits: number[]; server: Server }> {
  const hits: number[] = [];
  const server = createServer(async (request, response) => {
    hits.push(Date.now());
    const answer = await fetch(`${broker.apiUrl}${request.url ?? '/'}`, {
      headers: { authorization: request.headers.authorization ?? '' },
    });
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

const readyInApi = () => readyMessages(broker, VHOST_IN_URL, QUEUE);
const publish = (count: number) => publishMessages(broker, VHOST_IN_URL, QUEUE, count);

/** Reports `worker-1` to `member` every 300 ms until every member in `members` shows `status`. */
async function reportUntil(member: Member, members: Member[], status: string): Promise<void> {
  await waitUntil(
    async () => {
      assert.equal(await harness.report(member, 'worker-1', 10), 200);
      await sleep(REPORT_EVERY_MS);
      for (const each of members) {
        if ((await harness.apiReplicas(each, 'app'))[0]?.status !== status) return false;
      }
      return true;
    },
    WAIT_MS,
    `worker-1 ${status} on ${members.map((each) => each.id).join(', ')}`,
  );
}

test('one member, the node’s owner, checks the queue; every member shows the verdict; its death moves the check', async () => {
  assert.equal(
    (await broker.api('PUT', `/api/queues/${VHOST_IN_URL}/${QUEUE}`, { durable: false })).status,
    201,
  );
  const relays = new Map<string, Awaited<ReturnType<typeof startRelay>>>();
  for (const id of IDS) relays.set(id, await startRelay());
  const extras = (id: string) => ({
    reveal: true,
    app: `rabbitmq_queue = "${QUEUE}"\n`,
    tables:
      `[plugins.rabbitmq]\napi_url = "${relays.get(id)?.url}"\nauth_username = "${broker.username}"\n` +
      `auth_password = "${broker.password}"\nvirtualhost = "${VHOST_IN_URL}"\n` +
      'queue_ready_healthy_below = 3\nqueue_nack_healthy_below = 100\nqueue_ready_dead_above = 6\nqueue_nack_dead_above = 100\n',
  });
  const m1 = await harness.startLeader('m1', undefined, extras('m1'));
  const m2 = await harness.startMember('m2', undefined, extras('m2'));
  const m3 = await harness.startMember('m3', undefined, extras('m3'));
  const members = [m1, m2, m3];
  await waitUntil(
    async () => (await harness.cluster(m1)).members.filter((each) => each.alive).length === 3,
    WAIT_MS,
    'three live members',
  );
  // Every member has read the member list at a heartbeat since (a third of a lease).
  await sleep(LEASE_S * 1000);
  const owner = rendezvousOwner('web:app', IDS);
  assert.ok(owner);
  const hitsOf = (id: string, sinceMs = 0) =>
    (relays.get(id)?.hits ?? []).filter((at) => at >= sinceMs).length;
  const context = () =>
    `owner ${owner}; hits ${IDS.map((id) => `${id}: ${hitsOf(id)}`).join(', ')}\n${harness.logs()}`;

  // Loaded: reports go to a member that does not own the node.
  const reporterTarget = members.find((each) => each.id !== owner);
  assert.ok(reporterTarget);
  await publish(4);
  await waitUntil(async () => (await readyInApi()) === 4, WAIT_MS, '4 ready messages in the management API');
  await reportUntil(reporterTarget, members, 'sick');
  for (const member of members) {
    assert.equal((await harness.apiReplicas(member, 'app'))[0]?.reason, 'RabbitMQ queue loaded', member.id);
  }
  assert.ok(hitsOf(owner) > 0, context());
  for (const id of IDS.filter((each) => each !== owner))
    assert.equal(hitsOf(id), 0, `${id} checked; ${context()}`);

  // The owner dies; the queue stalls: the node's next owner checks it, and both survivors show it.
  const killed = harness.members.get(owner);
  assert.ok(killed);
  killed.child.kill('SIGKILL');
  await exited(killed.child);
  const killedAtMs = Date.now();
  const survivors = members.filter((each) => each.id !== owner);
  const nextOwner = rendezvousOwner(
    'web:app',
    survivors.map((each) => each.id),
  );
  assert.ok(nextOwner);
  await publish(4);
  await waitUntil(async () => (await readyInApi()) === 8, WAIT_MS, '8 ready messages in the management API');
  const reportTo = survivors.find((each) => each.id !== nextOwner) ?? survivors[0];
  assert.ok(reportTo);
  await reportUntil(reportTo, survivors, 'dead');
  for (const member of survivors) {
    assert.equal((await harness.apiReplicas(member, 'app'))[0]?.reason, 'RabbitMQ queue stalled', member.id);
  }
  assert.ok(hitsOf(nextOwner, killedAtMs) > 0, context());
  for (const id of IDS.filter((each) => each !== owner && each !== nextOwner)) {
    assert.equal(hitsOf(id), 0, `${id} checked; ${context()}`);
  }
});
