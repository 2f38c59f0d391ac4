// Re-exported for packages/local, which loads its config with this pipeline and wording: it must build its
// schema with this very zod, because schema-walk's instanceof checks only recognise the same instance.
export { parse as parseToml, TomlError } from 'smol-toml';
export { z } from 'zod';
export { interpolateEnv } from './interpolate.js';
export {
  type ConfigChecks,
  ConfigError,
  checkConfigDocument,
  type LoadedConfig,
  type LoadOptions,
  loadConfigFile,
  parseConfigText,
  rejectUnsetVariables,
} from './load.js';
export {
  type ConfigProblem,
  describeOwner,
  formatKeyPath,
  formatProblem,
  type KeyPath,
  valueAt,
} from './problems.js';
export { compileBodyMatch } from './regex.js';
export {
  type BrandingConfig,
  configSchema,
  HTTP_METHODS,
  LOG_LEVELS,
  logLevelSchema,
  type MetricsConfig,
  NODE_MODES,
  type NodeConfig,
  type NodeMode,
  type NotifyConfig,
  type RabbitmqConfig,
  type RawConfig,
  type ServerConfig,
  type ServiceConfig,
} from './schema.js';
export { findUnknownKeys, schemaAt } from './schema-walk.js';
export { configuredReplicaCount, summarizeConfig } from './summary.js';
export { describeIssue } from './zod-issues.js';
