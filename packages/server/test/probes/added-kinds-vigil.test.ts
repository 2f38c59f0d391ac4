import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningVigil } from '../../src/main.js';
import { startTestDnsmasq, type TestDnsmasq } from '../helpers/dnsmasq.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { startFullVigil, waitFor } from '../helpers/vigil.js';
import { closedPort } from './loopback.js';

const PASSWORD = 'pw-7a41c2';

/**
 * The added kinds through the whole server (config → topology → probe rounds → model): real
 * redis-server and dnsmasq replicas become healthy under ids without the password, and a refused
 * PostgreSQL replica dies with its reason.
 */
let redis: TestRedis;
let dnsmasq: TestDnsmasq;
let vigil: RunningVigil;
let redisUrl: string;
let dnsUrl: string;
let postgresUrl: string;

before(async () => {
  redis = await startTestRedis({ password: PASSWORD });
  dnsmasq = await startTestDnsmasq(['--host-record=db.test.example,127.0.0.7']);
  redisUrl = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
  dnsUrl = `dns://127.0.0.1:${dnsmasq.port}/db.test.example?expect=127.0.0.7`;
  postgresUrl = `postgres://vigil:${PASSWORD}@127.0.0.1:${await closedPort()}/app`;
  vigil = await startFullVigil(
    'poll_interval = 1\npoll_delay_dead = 2\npoll_delay_sick = 2\npoll_retry = 0\n' +
      '[probe]\n[[probe.service]]\nid = "data"\nlabel = "Data"\n' +
      '[[probe.service.node]]\nid = "stores"\nlabel = "Stores"\nmode = "poll"\n' +
      `replicas = ["${redisUrl}", "${dnsUrl}", "${postgresUrl}"]\n`,
  );
});

after(async () => {
  await vigil?.stop();
  await Promise.all([redis?.stop(), dnsmasq?.stop()]);
});

test('dns://, redis:// and postgres:// replicas are probed in rounds, their passwords kept out of ids', async () => {
  const replicas = () => vigil.model.node('data', 'stores')?.replicas;
  await waitFor('all three replicas checked', () =>
    [...(replicas()?.values() ?? [])].every((replica) => replica.checkedAtMs !== undefined),
  );
  const states = [...(replicas()?.values() ?? [])].map(({ id, health, reason }) => ({ id, health, reason }));
  assert.deepEqual(states, [
    { id: `redis://***@127.0.0.1:${redis.port}`, health: 'healthy', reason: undefined },
    { id: dnsUrl, health: 'healthy', reason: undefined },
    { id: postgresUrl.replace(`vigil:${PASSWORD}`, '***'), health: 'dead', reason: 'connection refused' },
  ]);
  assert.doesNotMatch(JSON.stringify(states), new RegExp(PASSWORD));
});
