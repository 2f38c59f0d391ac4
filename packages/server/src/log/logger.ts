import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import type { LOG_LEVELS } from '../config/schema.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  /** Readable lines for a person at a terminal; JSON lines for a log collector. */
  pretty: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger({
  level,
  pretty: readable,
  destination = process.stdout,
}: LoggerOptions): Logger {
  const options = {
    level: level === 'off' ? 'silent' : level,
    base: { name: 'vigil' },
    // Level names, not pino's numbers, so JSON lines read well in any collector.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (!readable)
    return pino(
      options,
      destination === process.stdout ? pino.destination({ dest: 1, sync: false }) : destination,
    );
  return pino(
    options,
    pretty({
      destination,
      colorize: 'isTTY' in destination && Boolean(destination.isTTY),
      sync: true,
      ignore: 'pid,hostname,name',
    }),
  );
}
