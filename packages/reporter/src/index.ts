export type { SystemLoad } from './load.js';
export type { ReporterConsole, VigilReporterOptions } from './options.js';
export { type EndCallback, type EndOptions, VigilReporter } from './reporter.js';
