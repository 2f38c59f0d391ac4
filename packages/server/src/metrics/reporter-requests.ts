import { Counter, type Registry } from 'prom-client';

/** Counts one reporter API request by its method and status code. */
export type ReporterRequestCounter = (method: string, code: number) => void;

/** The reporter request counter, in the given registry. */
export function registerReporterRequests(registry: Registry): ReporterRequestCounter {
  const counter = new Counter({
    name: 'vigil_reporter_requests_total',
    help: 'Reporter API requests (push and local reports, flushes), by method and status code',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  return (method, code) => counter.inc({ method, code: String(code) });
}
