import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeClock } from '../../server/test/helpers/fake-clock.js';
import { startRawCaptureServer } from '../../server/test/helpers/raw-capture-server.js';
import { parseLocalConfigText } from '../src/config/load.js';
import { START_DELAY_MS, startRelay } from '../src/relay.js';
import { captureLogger, waitFor } from './helpers/relay.js';

test("Vigil Local's timing: a 2 s hold, a cycle, then `interval` until the next", async () => {
  const server = await startRawCaptureServer();
  after(server.close);
  const { config } = parseLocalConfigText(
    `[server]\n[report]\nendpoint = "${server.url}"\ntoken = "t"\n[metrics]\ninterval = 120\n` +
      '[probe]\n[[probe.service]]\nid = "internal"\n[[probe.service.node]]\nid = "jobs"\nmode = "script"\n' +
      'scripts = ["exit 0"]\n',
    'local.cfg',
    { env: {} },
  );
  const clock = new FakeClock();
  const relay = startRelay({ config, logger: captureLogger().logger, clock });
  after(() => relay.stop());
  const settle = () => delay(150);

  assert.equal(START_DELAY_MS, 2000);
  clock.advance(START_DELAY_MS - 1);
  await settle();
  assert.equal(server.requests.length, 0, 'nothing before the hold is over');
  clock.advance(1);
  await waitFor(() => server.requests.length === 1, 'the first cycle');
  // The cycle is over once only the interval's timer is pending.
  await waitFor(() => clock.pendingTimers === 1, 'the pause after the cycle');
  clock.advance(120_000 - 1);
  await settle();
  assert.equal(server.requests.length, 1, 'nothing before the interval is over');
  clock.advance(1);
  await waitFor(() => server.requests.length === 2, 'the second cycle');
});
