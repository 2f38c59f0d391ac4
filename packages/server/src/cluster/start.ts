import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ClusterConfig, MetricsConfig, ServerConfig } from '../config/schema.js';
import type { HealthModel } from '../model/health-model.js';
import type { NodeRef, ObservationSink, ReplicaRef } from '../model/observation.js';
import type { Dispatcher, DispatcherDependencies } from '../notify/dispatcher.js';
import { storeOutbox } from '../notify/store-outbox.js';
import type { Settings } from '../settings/settings.js';
import type { Recorder } from '../store/recorder.js';
import type { ClusterView, Store } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { fencedOutbox } from './fenced-outbox.js';
import { HeartbeatCaller } from './heartbeat-url.js';
import { type AlertDispatcher, LeaderDispatcher } from './leader-dispatcher.js';
import { Membership } from './membership.js';
import { registerClusterGauges } from './metrics.js';
import { ObservationRelay } from './observation-relay.js';
import { PollQuorum } from './poll-quorum.js';
import { ProbeShard } from './probe-shard.js';

type DispatcherParts = Omit<DispatcherDependencies, 'channels' | 'page'>;

/** A running `[cluster]` membership, as main.ts wires it. */
export interface RunningCluster {
  instanceId: string;
  /**
   * The first heartbeat, then one every third of a lease: called once the server listens, so the
   * heavy work of starting (loading and building everything) cannot stall heartbeats past the lease.
   */
  join(): Promise<void>;
  /** Where reports and probe results go: this member's model, and through PostgreSQL the other members'. */
  observations: ObservationSink;
  /** Whether this member probes a poll or script replica now: its share of them (rendezvous hashing). */
  owns(ref: ReplicaRef, mode: 'poll' | 'script'): boolean;
  /** Whether this member checks a push node's RabbitMQ queue now (rendezvous hashing of the node). */
  ownsNode(ref: NodeRef): boolean;
  /** Called when this member's share may have changed (a join, a death, its list a lease old). */
  onShareChange(listener: () => void): () => void;
  /** The dispatcher `make` builds, run only while this member leads alerting. */
  leaderOnly(
    make: (deps: DispatcherParts) => Dispatcher,
    deps: DispatcherParts,
    pageUrl: string,
  ): AlertDispatcher;
  /** Members, leader and liveness as the database sees them, for the APIs. */
  view(): Promise<ClusterView>;
  /** Stops heartbeats and leaves the cluster (another member takes alerting over at once). */
  stop(): Promise<void>;
}

/** `host:port` of `server.inet`: stable across restarts, different for two instances on one host. */
export function defaultInstanceId(server: ServerConfig): string {
  return `${hostname()}:${server.inet.slice(server.inet.lastIndexOf(':') + 1)}`;
}

/** The cluster `[cluster]` asks for, to join once serving; undefined for a single instance. */
export async function startClusterIfConfigured(
  settings: Pick<Settings, 'cluster' | 'server' | 'storage' | 'metrics'>,
  durable: { store: Store; recorder: Pick<Recorder, 'saveReplicas' | 'setWritingHistory'> },
  context: { model: ClusterModel; clock: Clock; logger: Logger; metrics?: Registry },
): Promise<RunningCluster | undefined> {
  // The schema and validate.ts make a cluster's store PostgreSQL, with a URL.
  const { url } = settings.storage;
  if (!settings.cluster || url === undefined) return undefined;
  return startCluster({
    cluster: settings.cluster,
    server: settings.server,
    polling: settings.metrics,
    storageUrl: url,
    store: durable.store,
    saveModel: () => durable.recorder.saveReplicas(),
    writeHistory: (writing) => durable.recorder.setWritingHistory(writing),
    ...context,
  });
}

/** What the cluster needs of the health model: observations in, and push and local deadlines judged once. */
export type ClusterModel = ObservationSink &
  Pick<HealthModel, 'judgeSilencesWith' | 'judgeOverdue' | 'replica'>;

/**
 * Past its deadline, a push or local replica waits this long for the leader's verdict before a
 * member judges it itself: two leases, so a leader's death (a lease and a heartbeat until the next
 * one leads and judges) does not make the others judge too, while a member cut off from the
 * leader (PostgreSQL away, a missed notification) still shows the death.
 */
const VERDICT_WAIT_LEASES = 2;

/** A member of the cluster, and the dead man's switch it calls while leading. */
export async function startCluster(options: {
  cluster: ClusterConfig;
  server: ServerConfig;
  /** Poll timing and `poll_quorum` (the `[metrics]` section). */
  polling: Pick<MetricsConfig, 'poll_quorum' | 'poll_interval' | 'poll_delay_dead'>;
  /** For the connection that listens for the other members' reports. */
  storageUrl: string;
  store: Store;
  model: ClusterModel;
  /** Written before each alert state (the recorder's replicas), as on a single instance. */
  saveModel: () => Promise<void>;
  /** Starts or stops writing history and incidents: only the alert leader does. */
  writeHistory: (writing: boolean) => Promise<void>;
  clock: Clock;
  logger: Logger;
  /** The Prometheus registry, with `[prometheus] enabled = true`. */
  metrics?: Registry;
}): Promise<RunningCluster> {
  const { cluster, store, clock, logger } = options;
  const instanceId = cluster.instance_id ?? defaultInstanceId(options.server);
  const membership = new Membership({
    repository: store.cluster,
    clock,
    logger,
    instanceId,
    vantage: cluster.vantage,
    leaseMs: cluster.lease * 1000,
  });
  if (options.metrics) registerClusterGauges(options.metrics, membership);
  membership.onLeadership((leadership) => {
    options.writeHistory(leadership !== undefined).catch((error: unknown) => {
      logger.error({ err: error }, 'cluster: could not take over writing history');
    });
  });
  const heartbeat =
    cluster.heartbeat_url === undefined
      ? undefined
      : new HeartbeatCaller({
          membership,
          url: cluster.heartbeat_url,
          intervalMs: cluster.heartbeat_interval * 1000,
          clock,
          logger,
        });
  const shard = new ProbeShard({
    instanceId,
    leaseMs: cluster.lease * 1000,
    pollQuorum: options.polling.poll_quorum,
    clock,
    logger,
    async readLive() {
      const view = await store.cluster.view();
      return view.members.filter((member) => member.alive).map((member) => member.instanceId);
    },
  });
  membership.onRound(() => void shard.refresh());
  const unfenced = storeOutbox(store, options.saveModel);
  const relay = new ObservationRelay({
    url: options.storageUrl,
    instanceId,
    vantage: cluster.vantage,
    notify: (channel, payload) => store.cluster.notify(channel, payload),
    model: withPollQuorum(options.model, options.polling),
    shows: (ref) => options.model.replica(ref),
    clock,
    logger,
  });
  shard.onChange(() => relay.shareChanged());

  // Push and local deadlines are judged by the alert leader alone; the others take its verdicts.
  options.model.judgeSilencesWith({
    judgesNow: () => membership.leadership !== undefined,
    judged: (observation) => relay.share(observation),
    verdictWaitMs: VERDICT_WAIT_LEASES * cluster.lease * 1000,
  });
  membership.onLeadership((leadership) => {
    if (leadership) options.model.judgeOverdue();
  });

  return {
    instanceId,
    observations: relay.sink,
    owns: (ref, mode) => shard.owns(ref, mode),
    ownsNode: (ref) => shard.ownsNode(ref),
    onShareChange: (listener) => shard.onChange(listener),
    async join() {
      await relay.start();
      await membership.start();
      // Probing starts after joining: with the live members known, this member takes its share only.
      await shard.refresh();
      heartbeat?.start();
      logger.info(`cluster: ${instanceId} (${cluster.vantage}) joined, lease ${cluster.lease} s`);
    },
    leaderOnly(make, deps, pageUrl) {
      return new LeaderDispatcher({
        membership,
        repository: store.cluster,
        outbox: unfenced,
        pageUrl,
        clock,
        logger,
        makeDispatcher(token, onWriteFailure) {
          const fence = { token };
          const fenced = storeOutbox(store, options.saveModel, fence);
          const outbox = fencedOutbox(fenced, membership, token, onWriteFailure);
          return { outbox, dispatcher: make({ ...deps, outbox, owner: instanceId }) };
        },
      });
    },
    view: () => store.cluster.view(),
    async stop() {
      heartbeat?.stop();
      shard.stop();
      await Promise.all([membership.stop(), relay.stop()]);
    },
  };
}

/**
 * The model behind a poll quorum when `poll_quorum` > 1. A vantage's result counts for three rounds
 * (a round: the interval plus a check's deadline); older, it stopped probing that replica.
 */
function withPollQuorum(
  model: ObservationSink,
  metrics: Pick<MetricsConfig, 'poll_quorum' | 'poll_interval' | 'poll_delay_dead'>,
): ObservationSink {
  if (metrics.poll_quorum <= 1) return model;
  const freshMs = 3 * (metrics.poll_interval + metrics.poll_delay_dead) * 1000;
  return new PollQuorum(model, metrics.poll_quorum, freshMs);
}
