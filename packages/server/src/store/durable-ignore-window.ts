import type { ReminderIgnoreWindow } from '../notify/ignore-window.js';
import type { Clock } from '../time/clock.js';
import type { AlertStateRepository } from './types.js';

/**
 * Makes the notifier's reminder-ignore window survive restarts: `restore` puts back a window that
 * has not ended, and the returned control stores each change before the window (and the dispatcher
 * listening to it) sees it.
 */
export async function durableIgnoreWindow(
  window: ReminderIgnoreWindow,
  repository: AlertStateRepository,
  clock: Clock,
) {
  const untilMs = await repository.getIgnoreUntil();
  if (untilMs !== undefined && untilMs > clock.now()) window.set((untilMs - clock.now()) / 1000);
  return {
    remainingSeconds: () => window.secondsLeft(),
    async set(seconds: number | null) {
      const until = seconds === null ? undefined : clock.now() + seconds * 1000;
      await repository.setIgnoreUntil(until);
      window.set(until === undefined ? null : (until - clock.now()) / 1000);
    },
  };
}
