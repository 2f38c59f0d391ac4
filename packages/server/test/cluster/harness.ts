import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { rendezvousOwner } from '../../src/cluster/probe-shard.js';
import { apiClient } from '../helpers/api-contract.js';
import { type CapturedRequest, type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { exited, freePort, spawnCli, waitForHttp } from '../helpers/cli.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { basicAuth } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

export { waitUntil };

/**
 * Real `vigil` processes on loopback sharing one real PostgreSQL database, probing one HTTP target
 * the test turns up (200) and down (503), with a push node `web:app` the test may report to,
 * alerting a webhook on a capture server. Each member has
 * its own hook and heartbeat paths (`/hook/<id>`, `/beat/<id>`), so the test knows who sent what.
 */

/**
 * Short leases keep the files fast: a lapsed member is noticed within 3 s plus a round. Not
 * shorter: on a loaded 2-core machine a member's event loop can stall for a second or two, and a
 * lease shorter than that would report live members stopped.
 */
export const LEASE_S = 3;

/** What the webhook received, with when and from which member. */
export interface Received {
  member: string;
  atMs: number;
  key: string | undefined;
  type: string;
  status: string;
  replicas: string[];
  recovered?: string[];
  notice?: string;
}

export interface Member {
  id: string;
  url: string;
  child: ChildProcess;
  /** Everything it logged, for failure messages. */
  log: () => string;
}

export interface ClusterDocument {
  instance_id: string;
  leader: { instance_id: string; token: number; current: boolean } | null;
  members: Array<{ instance_id: string; vantage: string; alive: boolean; leader: boolean; self: boolean }>;
}

/**
 * What a member's config adds: lines to its `[metrics]` and `[cluster]` tables, tables of its own
 * (`[plugins.rabbitmq]`), lines to the push node `web:app`, and `reveal_replica_name` to both nodes.
 */
export interface MemberExtras {
  metrics?: string;
  cluster?: string;
  tables?: string;
  app?: string;
  reveal?: boolean;
}

export interface HarnessOptions {
  pollReplicas?: number;
  /**
   * Members the poll replicas are spread over evenly by their rendezvous owner: the shard paths are
   * picked so (the target's port is random, and 12 replicas hashed freely leave one of 3 members
   * none about one time in 40).
   */
  spreadOver?: string[];
  scripts?: number;
}

/** `count` shard URLs under `origin`, each of `members` owning as many of them (±1). */
function spreadShardUrls(origin: string, count: number, members: string[]): string[] {
  const quota = Math.ceil(count / members.length);
  const owned = new Map(members.map((id) => [id, 0]));
  const urls: string[] = [];
  for (let index = 0; urls.length < count; index++) {
    const url = `${origin}/shard/${index}`;
    const owner = rendezvousOwner(`web:api:${url}`, members) ?? '';
    const share = owned.get(owner) ?? quota;
    if (share >= quota) continue;
    owned.set(owner, share + 1);
    urls.push(url);
  }
  return urls;
}

/** A replica in `/api/v1/status`. */
export interface ApiReplica {
  status: string;
  reason: string | null;
}

interface StatusDocument {
  services: Array<{ nodes: Array<{ id: string; replicas: ApiReplica[] }> }>;
}

/** An observation one member shared with the others (NOTIFY on `vigil_observations`). */
export interface SharedObservation {
  from: string;
  kind: string;
  subject: { serviceId: string; nodeId: string; replicaId?: string };
}

/** One request the probed target received. */
export interface TargetHit {
  path: string;
  atMs: number;
}

export class ClusterHarness {
  readonly members = new Map<string, Member>();
  /** Requests to the probed target, in arrival order. */
  readonly hits: TargetHit[] = [];
  private readonly arrivals = new Map<CapturedRequest, number>();
  private readonly downPaths = new Set<string>();
  /** Source addresses the target answers 503. */
  private readonly downFrom = new Set<string>();
  /** One per member URL, so each loads the member's OpenAPI document once. */
  private readonly apiClients = new Map<string, ReturnType<typeof apiClient>>();
  private targetUp = true;
  /** The connection `listenToShared` opened, closed by stop(). */
  private listener: pg.Client | undefined;
  /** The poll replicas' URLs: the target's `/health`, or `/shard/<n>` with `pollReplicas`. */
  readonly replicaUrls: string[];

  private constructor(
    private readonly postgres: TestPostgres,
    readonly databaseUrl: string,
    readonly capture: CaptureServer,
    private readonly target: Server,
    private readonly targetUrl: string,
    private readonly folder: string,
    pollReplicas: number | undefined,
    spreadOver: string[] | undefined,
    /** Script replicas of the node `web:jobs`; none without. */
    readonly scripts: number,
  ) {
    const origin = new URL(targetUrl).origin;
    this.replicaUrls =
      pollReplicas === undefined
        ? [targetUrl]
        : spreadOver
          ? spreadShardUrls(origin, pollReplicas, spreadOver)
          : Array.from({ length: pollReplicas }, (_, index) => `${origin}/shard/${index}`);
    capture.reply((request) => {
      this.arrivals.set(request, Date.now());
      return { status: 200 };
    });
  }

  /**
   * `pollReplicas`: that many poll replicas on the target, `/shard/<n>`, instead of one `/health`;
   * `scripts`: a script node `web:jobs` with that many scripts, each of which notes who ran it when.
   */
  static async start(options: HarnessOptions = {}): Promise<ClusterHarness> {
    const postgres = await startTestPostgres();
    const databaseUrl = await postgres.createDatabase();
    const capture = await startCaptureServer();
    const folder = mkdtempSync(join(tmpdir(), 'vigil-cluster-'));
    let harness: ClusterHarness | undefined;
    const target = createServer((request, response) => {
      // Without the query the HTTP probe adds to defeat caches.
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      harness?.hits.push({ path, atMs: Date.now() });
      const down =
        harness?.targetUp === false ||
        harness?.downPaths.has(path) === true ||
        harness?.downFrom.has(request.socket.remoteAddress ?? '') === true;
      response.writeHead(down ? 503 : 200).end();
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const address = target.address();
    if (address === null || typeof address === 'string') throw new Error('not a TCP server');
    harness = new ClusterHarness(
      postgres,
      databaseUrl,
      capture,
      target,
      `http://127.0.0.1:${address.port}/health`,
      folder,
      options.pollReplicas,
      options.spreadOver,
      options.scripts ?? 0,
    );
    return harness;
  }

  /** The replica path alerts name the target by. */
  get targetPath(): string {
    return `web:api:${this.targetUrl}`;
  }

  setTarget(up: boolean): void {
    this.targetUp = up;
  }

  /** Makes the target answer 503 (or 200 again) to requests from one source address. */
  setAddressDown(address: string, down: boolean): void {
    if (down) this.downFrom.add(address);
    else this.downFrom.delete(address);
  }

  /** Makes one path of the target answer 503 (or 200 again). */
  setPathDown(path: string, down: boolean): void {
    if (down) this.downPaths.add(path);
    else this.downPaths.delete(path);
  }

  /**
   * Starts member `id` and waits until it serves, its config with `extra`.
   */
  async startMember(id: string, vantage = `zone-${id}`, extra: MemberExtras = {}): Promise<Member> {
    const port = await freePort();
    const config = join(this.folder, `${id}.cfg`);
    const base = BASE_CONFIG.replace('inet = "127.0.0.1:0"', `inet = "127.0.0.1:${port}"`).replace(
      'log_level = "off"',
      'log_level = "info"',
    );
    writeFileSync(
      config,
      `${base}poll_interval = 1\npoll_retry = 0\npoll_delay_dead = 1\npoll_delay_sick = 1\npush_delay_dead = 1\nscript_interval = 1\n${extra.metrics ?? ''}` +
        `[notify]\nsettle_timeout = 5\nretry_tail = [1]\n` +
        `[notify.webhook]\nhook_url = "${this.capture.url}/hook/${id}"\n` +
        `[storage]\nengine = "postgres"\nurl = "${this.databaseUrl}"\npool_size = 4\n` +
        `[cluster]\ninstance_id = "${id}"\nvantage = "${vantage}"\nlease = ${LEASE_S}\n` +
        `heartbeat_url = "${this.capture.url}/beat/${id}"\nheartbeat_interval = 1\n${extra.cluster ?? ''}${extra.tables ?? ''}` +
        `[probe]\n[[probe.service]]\nid = "web"\nlabel = "Web"\n` +
        `[[probe.service.node]]\nid = "api"\nlabel = "API"\nmode = "poll"\nreplicas = ${JSON.stringify(this.replicaUrls)}\n` +
        (extra.reveal ? 'reveal_replica_name = true\n' : '') +
        `[[probe.service.node]]\nid = "app"\nlabel = "App"\nmode = "push"\n${extra.app ?? ''}` +
        (extra.reveal ? 'reveal_replica_name = true\n' : '') +
        this.scriptNode(id),
    );
    const child = spawnCli(['-c', config]);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = `${output}${chunk.toString()}`.slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const member: Member = { id, url: `http://127.0.0.1:${port}`, child, log: () => output };
    this.members.set(id, member);
    try {
      await waitForHttp(`${member.url}/status/text`, 60_000);
    } catch (error) {
      throw new Error(`member ${id} did not start:\n${output}`, { cause: error });
    }
    return member;
  }

  /** Starts the first member, which finds no leader, and waits until it leads alerting. */
  async startLeader(id: string, vantage?: string, extra?: MemberExtras): Promise<Member> {
    const member = await this.startMember(id, vantage, extra);
    const leader = await this.leader(member);
    if (leader !== id) throw new Error(`the first member, ${id}, should lead; ${leader} does`);
    return member;
  }

  /** The script node: script `n` appends `<member> <epoch ms>` to `script-<n>.log` at each run. */
  private scriptNode(id: string): string {
    if (this.scripts === 0) return '';
    const scripts = Array.from(
      { length: this.scripts },
      (_, index) =>
        `printf '%s %s\\n' ${id} "$(date +%s%3N)" >> '${join(this.folder, `script-${index}.log`)}'`,
    );
    return `[[probe.service.node]]\nid = "jobs"\nlabel = "Jobs"\nmode = "script"\nscripts = ${JSON.stringify(scripts)}\n`;
  }

  /** Who ran script `index`, and when, in order. */
  scriptRuns(index: number): Array<{ member: string; atMs: number }> {
    let text = '';
    try {
      text = readFileSync(join(this.folder, `script-${index}.log`), 'utf8');
    } catch {
      // not run yet
    }
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [member = '', atMs = ''] = line.split(' ');
        return { member, atMs: Number(atMs) };
      });
  }

  /** `fetch` for a member's `/api/v1`, each answer checked against the OpenAPI document it serves. */
  api(member: Member): ReturnType<typeof apiClient> {
    let client = this.apiClients.get(member.url);
    if (client === undefined) {
      client = apiClient(member.url);
      this.apiClients.set(member.url, client);
    }
    return client;
  }

  /** A node's replicas (the first 100) as `member`'s `/api/v1/status` shows them. */
  async apiReplicas(member: Member, nodeId: string): Promise<ApiReplica[]> {
    const document = (await this.api(member).request('/api/v1/status')).json<StatusDocument>();
    const node = document.services.flatMap((service) => service.nodes).find((each) => each.id === nodeId);
    return node?.replicas ?? [];
  }

  async cluster(member: Member): Promise<ClusterDocument> {
    // Checked against the OpenAPI document the member serves.
    const response = await this.api(member).request('/api/v1/cluster');
    if (response.status !== 200) throw new Error(`GET /api/v1/cluster answered ${response.status}`);
    return response.json<ClusterDocument>();
  }

  /** The manager route, with or without the manager token. */
  managerCluster(member: Member, token?: string): Promise<Response> {
    return fetch(`${member.url}/manager/cluster/`, {
      headers: token === undefined ? {} : { Authorization: basicAuth(token) },
    });
  }

  /** Waits until `member`'s view names a current leader, and returns its id. */
  async leader(member: Member, timeoutMs = 20_000): Promise<string> {
    let id: string | undefined;
    await waitUntil(
      async () => {
        const document = await this.cluster(member);
        id = document.leader?.current ? document.leader.instance_id : undefined;
        return id !== undefined;
      },
      timeoutMs,
      'a current alert leader',
    );
    if (id === undefined) throw new Error('no leader');
    return id;
  }

  /** Every webhook request so far, in arrival order. */
  received(): Received[] {
    return this.capture.requests
      .filter((request) => request.path.startsWith('/hook/'))
      .map((request) => {
        const body = JSON.parse(request.body) as Omit<Received, 'member' | 'atMs' | 'key'>;
        const key = request.headers['idempotency-key'];
        return {
          ...body,
          member: request.path.slice('/hook/'.length),
          atMs: this.arrivals.get(request) ?? 0,
          key: typeof key === 'string' ? key : undefined,
        };
      });
  }

  /** The target's alerts (not the cluster's own): dead ones and recoveries. */
  targetAlerts(): { dead: Received[]; recovered: Received[] } {
    const changes = this.received().filter((alert) => alert.type === 'changed' && alert.notice === undefined);
    return {
      dead: changes.filter((alert) => alert.status === 'dead'),
      recovered: changes.filter((alert) => alert.status === 'healthy'),
    };
  }

  /** A push report to `member`'s reporter API; resolves with the status code. */
  async report(member: Member, replica: string, interval: number, cpu = 0.1): Promise<number> {
    const response = await fetch(`${member.url}/reporter/web/app/`, {
      method: 'POST',
      headers: { Authorization: basicAuth('reporter-secret'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ replica, interval, load: { cpu, ram: 0.1 } }),
    });
    await response.body?.cancel();
    return response.status;
  }

  /** Heartbeat-URL calls from `member`. */
  beats(member: string): number[] {
    return this.capture.requests
      .filter((request) => request.path === `/beat/${member}`)
      .map((request) => this.arrivals.get(request) ?? 0);
  }

  /**
   * Listens to what the members share through PostgreSQL, as a member does: every observation from
   * now on, in arrival order, with its sender.
   */
  async listenToShared(): Promise<SharedObservation[]> {
    const shared: SharedObservation[] = [];
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      const { from, observations } = JSON.parse(message.payload ?? '{}') as {
        from: string;
        observations: Array<Omit<SharedObservation, 'from'>>;
      };
      for (const { kind, subject } of observations) shared.push({ from, kind, subject });
    });
    await client.connect();
    await client.query('LISTEN vigil_observations');
    this.listener = client;
    return shared;
  }

  /** Restarts the shared PostgreSQL server as after a crash. */
  restartDatabase(): Promise<void> {
    return this.postgres.restart();
  }

  /** Logs of every member, for a failing assertion's message. */
  logs(): string {
    return [...this.members.values()].map((member) => `--- ${member.id}\n${member.log()}`).join('\n');
  }

  async stop(): Promise<void> {
    for (const member of this.members.values()) {
      member.child.kill('SIGCONT');
      member.child.kill('SIGKILL');
      await exited(member.child);
    }
    await this.listener?.end();
    await this.capture.close();
    await new Promise((resolve) => this.target.close(resolve));
    await this.postgres.stop();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/**
 * The one harness of a test file, started at its top level (`const harness = await clusterHarness()`)
 * and stopped after its tests, whatever they did: members, target, capture server and PostgreSQL.
 */
export async function clusterHarness(options: HarnessOptions = {}): Promise<ClusterHarness> {
  const harness = await ClusterHarness.start(options);
  after(() => harness.stop());
  return harness;
}
