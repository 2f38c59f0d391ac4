export { type LoadedLocalConfig, loadLocalConfigFile, parseLocalConfigText } from './config/load.js';
export type { LocalConfig } from './config/schema.js';
export { parseLocalReplicaUrl } from './config/validate.js';
export { buildJobs, type ReplicaJob } from './jobs.js';
export { POLL_RETRY_WAIT_MS, type Relay, type RelayOptions, START_DELAY_MS, startRelay } from './relay.js';
export {
  createReportClient,
  type HealthReport,
  REPORT_ATTEMPTS,
  REPORT_RETRY_WAIT_MS,
  REPORT_TIMEOUT_MS,
  type ReportOutcome,
} from './report.js';
export { USER_AGENT, VERSION } from './version.js';
