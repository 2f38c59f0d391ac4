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
  const options = { level: level === 'off' ? 'silent' : level, base: { name: 'vigil' } };
  if (!readable) return pino(options, pino.destination({ dest: 1, sync: false }));
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
