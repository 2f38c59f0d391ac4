import type {
  BrandingConfig,
  ClusterConfig,
  MetricsConfig,
  NotifyConfig,
  PrometheusConfig,
  RabbitmqConfig,
  RawConfig,
  ServerConfig,
  StorageConfig,
  SubscriptionsConfig,
} from '../config/schema.js';
import { type HealthModelSettings, healthModelSettings } from '../model/health-model.js';
import { buildTopology, type Topology } from '../model/topology.js';

/**
 * What the running server works from, derived once from a validated config. Each part of the server
 * takes only its section; main.ts (and a reload) are the only places that see all of them.
 */
export interface Settings {
  server: ServerConfig;
  branding: BrandingConfig;
  /** `[metrics]`: probe timing and thresholds (the probers read it; the model has its own part). */
  metrics: MetricsConfig;
  /** The health model's share of `[metrics]`. */
  model: HealthModelSettings;
  prometheus: PrometheusConfig;
  /** Absent without `[notify]`: then nothing is ever sent, as in Vigil. */
  notify: NotifyConfig | undefined;
  storage: StorageConfig;
  /** `[cluster]` when it is on; absent for a single instance. */
  cluster: ClusterConfig | undefined;
  /** Email sign-up and webhook limits (the SMTP server is `notify.email`'s). */
  subscriptions: SubscriptionsConfig;
  rabbitmq: RabbitmqConfig | undefined;
  /** Services → nodes → replicas, with the probe targets fully resolved. */
  topology: Topology;
}

/** Raw config (defaults applied, checked) → settings. Pure: the same config gives equal settings. */
export function settingsFrom(config: RawConfig): Settings {
  return {
    server: config.server,
    branding: config.branding,
    metrics: config.metrics,
    model: healthModelSettings(config.metrics),
    prometheus: config.prometheus,
    notify: config.notify,
    storage: config.storage,
    cluster: config.cluster?.enabled === true ? config.cluster : undefined,
    subscriptions: config.subscriptions,
    rabbitmq: config.plugins?.rabbitmq,
    topology: buildTopology(config),
  };
}
