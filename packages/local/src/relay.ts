import type { createLogger } from '@vigil-ts/server/log';
import {
  checkWithRetries,
  createProbeRegistry,
  type ProbeResult,
  probeFor,
  redactUrl,
} from '@vigil-ts/server/probes';
import { RoundLoop } from '@vigil-ts/server/scheduler';
import { type Clock, sleep, systemClock } from '@vigil-ts/server/time';
import type { LocalConfig } from './config/schema.js';
import { buildJobs, type ReplicaJob } from './jobs.js';
import { createReportClient, type HealthReport } from './report.js';
import { USER_AGENT } from './version.js';

/** Vigil Local holds this long after start before its first cycle. */
export const START_DELAY_MS = 2_000;
/** Vigil Local's pause between two attempts at a dead replica. */
export const POLL_RETRY_WAIT_MS = 200;

export type RelayLogger = Pick<ReturnType<typeof createLogger>, 'debug' | 'info' | 'warn' | 'error'>;

export interface RelayOptions {
  config: LocalConfig;
  logger: RelayLogger;
  clock?: Clock;
  startDelayMs?: number;
  /** Pause between report attempts, Vigil Local's 2 s by default; tests shorten it. */
  reportRetryWaitMs?: number;
}

export interface Relay {
  /** Aborts the probes and reports in flight and resolves once nothing runs any more. */
  stop(): Promise<void>;
}

const name = (job: { serviceId: string; nodeId: string; replicaId: string }) =>
  `${job.serviceId}:${job.nodeId}:${job.replicaId}`;

/**
 * vigil-local's main loop (spec §9): after a short hold, cycles over every replica, probing each
 * with the server's own probes and reporting its health right after, then sleeps `interval`.
 * Unlike Vigil Local, up to `[metrics] parallelism` replicas run at once, and nothing a probe or the
 * server does can end the loop: every failure is logged and the next cycle tries again.
 */
export function startRelay(options: RelayOptions): Relay {
  const { config, logger, clock = systemClock } = options;
  const { metrics } = config;
  const jobs = buildJobs(config, USER_AGENT);
  const policy = {
    retries: metrics.poll_retry,
    retryWaitMs: POLL_RETRY_WAIT_MS,
    timeoutMs: metrics.poll_delay_dead * 1000,
    sickLatencyMs: metrics.poll_delay_sick * 1000,
  };
  const endpoint = config.report.endpoint;
  const endpointForLog = redactUrl(endpoint);
  const sendReport = createReportClient({
    endpoint,
    token: config.report.token,
    userAgent: USER_AGENT,
    clock,
    ...(options.reportRetryWaitMs === undefined ? {} : { retryWaitMs: options.reportRetryWaitMs }),
    onRetry: (report, attempt, reason) =>
      logger.warn(`report of ${name(report)} failed (attempt ${attempt}): ${reason}; retrying`),
  });
  const probes = createProbeRegistry(
    jobs.map((job) => job.target),
    { log: (message) => logger.info(message) },
  );
  const lastHealth = new Map<string, ProbeResult['health']>();
  let serverUnreachable = false;

  const logProbe = (job: ReplicaJob, result: ProbeResult) => {
    const key = name(job);
    const detail = `${result.latencyMs} ms${result.reason ? `, ${result.reason}` : ''}`;
    logger.debug(`probed ${key}: ${result.health} (${detail})`);
    if (lastHealth.get(key) !== result.health) {
      const log = result.health === 'healthy' ? logger.info : logger.warn;
      log.call(logger, `${key} is ${result.health}${result.reason ? ` (${result.reason})` : ''}`);
      lastHealth.set(key, result.health);
    }
  };

  const report = async (health: HealthReport, signal: AbortSignal) => {
    const outcome = await sendReport(health, signal);
    if (signal.aborted) return;
    if (!outcome.ok) {
      serverUnreachable = true;
      logger.error(
        `could not report ${name(health)} to ${endpointForLog} after ${outcome.attempts} attempts: ${outcome.reason}; ` +
          `trying again next cycle`,
      );
    } else if (serverUnreachable) {
      serverUnreachable = false;
      logger.info(`reporting to ${endpointForLog} works again`);
    }
  };

  // Probes run side by side but reports leave in config order: the server numbers replicas (and
  // lists them in alerts) in the order their first reports arrive. Jobs start in config order, so
  // each one queues its report behind the one started before it.
  let previousReport: Promise<void> = Promise.resolve();
  const loop = new RoundLoop<ReplicaJob>({
    jobs,
    parallelism: metrics.parallelism,
    intervalMs: metrics.interval * 1000,
    spreadMs: 0,
    clock,
    async runJob(job, signal) {
      const reportTurn = previousReport;
      let reported = () => {};
      previousReport = new Promise((resolve) => {
        reported = resolve;
      });
      try {
        const result = await checkWithRetries(probeFor(job.target, probes), job.target, policy, {
          clock,
          signal,
        });
        if (signal.aborted) return;
        logProbe(job, result);
        await reportTurn;
        await report({ ...job, health: result.health, intervalSeconds: metrics.interval }, signal);
      } finally {
        reported();
      }
    },
    onRoundEnd: (durationMs) => logger.info(`cycle done in ${durationMs} ms, next in ${metrics.interval} s`),
    onJobError: (error, job) => logger.error({ err: error }, `probing ${name(job)} failed unexpectedly`),
  });

  // The shared clock's timers are unref'd, so between cycles nothing else would keep the process alive.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  const holding = new AbortController();
  const started = sleep(clock, options.startDelayMs ?? START_DELAY_MS, holding.signal).then(
    () => loop.start(),
    () => undefined,
  );
  return {
    async stop() {
      holding.abort();
      await started;
      await loop.stop();
      clearInterval(keepAlive);
    },
  };
}
