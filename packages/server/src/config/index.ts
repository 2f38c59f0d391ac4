export { interpolateEnv } from './interpolate.js';
export { ConfigError, type LoadedConfig, type LoadOptions, loadConfigFile, parseConfigText } from './load.js';
export { compileBodyMatch } from './regex.js';
export {
  type BrandingConfig,
  configSchema,
  HTTP_METHODS,
  LOG_LEVELS,
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
export { summarizeConfig } from './summary.js';
