// The process dispatcher-crash.test.ts kills with SIGKILL: a dispatcher over a SQLite store, whose
// page goes dead. It prints "ready" once the outbox holds exactly one undelivered delivery that
// has been tried once (the test's failing endpoint), then waits to be killed.
// Arguments: the SQLite file, then the `[notify.*]` tables.
import { storeOutbox } from '../../src/notify/store-outbox.js';
import { openStore } from '../../src/store/open.js';
import { systemClock } from '../../src/time/clock.js';
import { createHarness, DB_1 } from './dispatcher-harness.js';

const [path = '', tables = ''] = process.argv.slice(2);
const store = await openStore({ engine: 'sqlite', path });
const harness = createHarness({
  notify: `[notify]\nstartup_notification = false\n${tables}`,
  clock: systemClock,
  outbox: storeOutbox(store),
  settings: { delivery: { retryDelaysMs: [1500], attemptTimeoutMs: 2000 } },
});
await harness.dispatcher.start();
harness.dispatcher.settled();
harness.set(DB_1, 'dead');

const timer = setInterval(async () => {
  const pending = await store.outbox.pending();
  if (pending.length === 1 && pending[0]?.attempts === 1) {
    clearInterval(timer);
    process.stdout.write('ready\n');
    setInterval(() => {}, 60_000);
  }
}, 10);
