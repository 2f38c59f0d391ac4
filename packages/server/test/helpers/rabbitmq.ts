import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const RABBITMQ_BIN = '/usr/lib/rabbitmq/bin';
const EPMD = '/usr/bin/epmd';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface RabbitBroker {
  /** Management API root, e.g. `http://127.0.0.1:45606`. */
  apiUrl: string;
  username: string;
  password: string;
  /** One management API call as the admin user; JSON in and out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/** Distinct free loopback ports: all are held open together, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => {
      const address = server.address();
      if (typeof address !== 'object' || !address) throw new Error('no port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Resolves with whether `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = delay(ms, false, { ref: false });
  return Promise.race([promise.then(() => true), timer]);
}

/**
 * A real RabbitMQ broker with the management plugin, all state in a temp dir, every port (AMQP,
 * management, Erlang distribution, epmd, CLI distribution) a free loopback one, so it never meets
 * another broker. Its own epmd runs as our child and is killed by pid at the end (shared/ci-notes §3).
 */
export async function startRabbitmq(): Promise<RabbitBroker> {
  if (!existsSync(join(RABBITMQ_BIN, 'rabbitmq-server')) || !existsSync(EPMD)) {
    throw new Error('rabbitmq-server is not installed: apt-get install rabbitmq-server');
  }
  const dir = await mkdtemp(join(tmpdir(), 'vigil-rmq-'));
  const [amqpPort, managementPort, epmdPort, distPort, ctlPort] = await freePorts(5);
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_NODENAME: `vigiltest${process.pid}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CTL_DIST_PORT_MIN: String(ctlPort),
    RABBITMQ_CTL_DIST_PORT_MAX: String(ctlPort),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_EPMD_PORT: String(epmdPort),
  };
  await mkdir(join(dir, 'log'));
  // Queue counts reach the management API after a sample interval: 1 s instead of 5 s keeps the test short.
  await writeFile(
    env.RABBITMQ_CONFIG_FILE,
    [
      `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
      'management.tcp.ip = 127.0.0.1',
      `management.tcp.port = ${managementPort}`,
      'loopback_users.guest = true',
      'collect_statistics_interval = 500',
      'management.sample_retention_policies.global.minute = 1',
      'management.sample_retention_policies.basic.minute = 1',
      'management.sample_retention_policies.detailed.10 = 1',
      '',
    ].join('\n'),
  );
  await writeFile(env.RABBITMQ_ENABLED_PLUGINS_FILE, '[rabbitmq_management].\n');

  const epmd = spawn(EPMD, ['-port', String(epmdPort), '-address', '127.0.0.1'], { env, stdio: 'ignore' });
  // Its own process group, so a last-resort kill reaches the shell wrapper and beam.smp alike.
  const server = spawn(join(RABBITMQ_BIN, 'rabbitmq-server'), [], { env, detached: true, stdio: 'pipe' });
  const output: Buffer[] = [];
  server.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  server.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  const killAll = () => {
    if (server.pid !== undefined && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {}
    }
    epmd.kill('SIGKILL');
  };
  // If the test process dies first, never leave a broker behind.
  process.once('exit', killAll);

  const apiUrl = `http://127.0.0.1:${managementPort}`;
  const authorization = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  const api: RabbitBroker['api'] = async (method, path, body) => {
    const response = await fetch(apiUrl + path, {
      method,
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  const stop = async () => {
    process.removeListener('exit', killAll);
    const stopped = exited(server);
    if (server.exitCode === null) {
      await new Promise<void>((resolve) =>
        execFile(join(RABBITMQ_BIN, 'rabbitmqctl'), ['stop'], { env, timeout: STOP_TIMEOUT_MS }, () =>
          resolve(),
        ),
      );
    }
    // rabbitmqctl returns while the VM is still halting.
    if (!(await within(stopped, STOP_TIMEOUT_MS))) killAll();
    await stopped;
    epmd.kill();
    await exited(epmd);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (server.exitCode !== null) break;
    const ready = await api('GET', '/api/overview').then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return { apiUrl, username: 'guest', password: 'guest', api, stop };
    if (Date.now() > deadline) break;
    await delay(250);
  }
  const log = Buffer.concat(output).toString();
  await stop();
  throw new Error(`RabbitMQ did not start within ${START_TIMEOUT_MS / 1000} s:\n${log.slice(-2000)}`);
}

/** Messages ready in `queue` as the management API shows them (they lag the queue by a sample interval). */
export async function readyMessages(
  broker: RabbitBroker,
  vhost: string,
  queue: string,
): Promise<number | undefined> {
  const { body } = await broker.api('GET', `/api/queues/${vhost}/${queue}`);
  return (body as { messages_ready?: number }).messages_ready;
}

/** Publishes `count` messages to `queue` through the default exchange; throws unless each is routed. */
export async function publishMessages(broker: RabbitBroker, vhost: string, queue: string, count: number) {
  for (let i = 0; i < count; i++) {
    const { body } = await broker.api('POST', `/api/exchanges/${vhost}/amq.default/publish`, {
      properties: {},
      routing_key: queue,
      payload: `job ${i}`,
      payload_encoding: 'string',
    });
    if (JSON.stringify(body) !== JSON.stringify({ routed: true })) {
      throw new Error(`message ${i} not routed: ${JSON.stringify(body)}`);
    }
  }
}
