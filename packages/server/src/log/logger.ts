import { createRequire } from 'node:module';
import { type Logger, pino } from 'pino';
import type { LOG_LEVELS } from '../config/schema.js';

export { logStartLine } from './start-line.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  /** Readable lines for a person at a terminal; JSON lines for a log collector. */
  pretty: boolean;
  /** Standard output unless given, e.g. a capturing stream in tests. */
  destination?: NodeJS.WritableStream;
}

/** pino-pretty is loaded only for a person at a terminal: a service's JSON lines do not need it. */
const loadPretty = () => createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');

/** Standard output's file descriptor. */
const STDOUT = 1;

/**
 * Lines are written synchronously, each before the logging call returns: an asynchronous
 * destination let the exit flush write a later line ahead of one still in flight, and could lose
 * the last lines when the process exits (a few lines a second never make the write cost matter).
 */
export function createLogger({ level, pretty: readable, destination }: LoggerOptions): Logger {
  const options = {
    level: level === 'off' ? 'silent' : level,
    base: { name: 'vigil' },
    // Level names, not pino's numbers, so JSON lines read well in any collector.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (!readable) {
    return pino(
      // ISO-8601 times, which collectors read without knowing pino's epoch milliseconds.
      { ...options, timestamp: pino.stdTimeFunctions.isoTime },
      destination ?? pino.destination({ dest: STDOUT, sync: true }),
    );
  }
  const colorize = destination === undefined ? Boolean(process.stdout.isTTY) : isTerminal(destination);
  return pino(
    options,
    loadPretty()({ destination: destination ?? STDOUT, colorize, sync: true, ignore: 'pid,hostname,name' }),
  );
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return 'isTTY' in stream && Boolean(stream.isTTY);
}
