import type { Health } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Clock } from '../../time/clock.js';

export interface PageHealthSince {
  health: Health;
  sinceMs: number;
}

/**
 * Since when the page has had its current health, from the model's page events (the model keeps
 * no such time). Before the first change it counts from the start.
 */
export function trackPageHealth(model: HealthModel, clock: Clock): { read(): PageHealthSince; stop(): void } {
  let state: PageHealthSince = { health: model.pageHealth, sinceMs: clock.now() };
  const stop = model.events.on('page-changed', ({ current, atMs }) => {
    state = { health: current, sinceMs: atMs };
  });
  return { read: () => state, stop };
}
