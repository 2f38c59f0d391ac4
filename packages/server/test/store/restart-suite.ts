import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AlertState } from '../../src/notify/alert-policy.js';
import { PAGE_WATCHER_KEY } from '../../src/notify/channel-options.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import type { StorageEngine, Store } from '../../src/store/types.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { exited, freePort, startServing } from '../helpers/cli.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { basicAuth } from '../helpers/server.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES, storageTable } from '../helpers/store-vigil.js';
import { waitFor } from '../helpers/vigil.js';

/** What a webhook received: Vigil's payload. */
interface Payload {
  type: string;
  status: string;
  replicas: string[];
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * The real `vigil` binary in a child process, stopped gracefully or killed with SIGKILL, then
 * started again on the same database: what point 2 of the storage issue says must survive, does.
 * One file per engine (restart-*.test.ts) so the two slow runs go in parallel.
 */
export function restartSuite(only: StorageEngine) {
  describeEachEngine(
    'restart',
    (engine) => {
      let folder: string;
      let capture: CaptureServer;
      let location: StoreLocation;
      let port: number;
      let configPath: string;
      let failDeadAlerts = true;

      before(async () => {
        folder = mkdtempSync(join(tmpdir(), 'vigil-restart-'));
        capture = await startCaptureServer();
        capture.reply((request) =>
          failDeadAlerts && (JSON.parse(request.body) as Payload).type === 'changed'
            ? { status: 502 }
            : { status: 200 },
        );
        location = await engine.freshLocation();
        port = await freePort();
        configPath = join(folder, 'config.cfg');
        const base = BASE_CONFIG.replace('inet = "127.0.0.1:0"', `inet = "127.0.0.1:${port}"`);
        writeFileSync(
          configPath,
          `${base}push_delay_dead = 1\n` +
            `[notify]\n[notify.webhook]\nhook_url = "${capture.url}/hook"\n` +
            `${storageTable(location, 'flush_interval = 1')}\n[probe]\n${REPORTED_PROBES}`,
        );
      });
      after(async () => {
        await capture.close();
        rmSync(folder, { recursive: true, force: true });
      });

      const url = (path: string) => `http://127.0.0.1:${port}${path}`;
      const manager = (path: string, init: RequestInit = {}) =>
        fetch(url(path), {
          ...init,
          headers: { Authorization: basicAuth('manager-secret'), ...JSON_HEADERS, ...init.headers },
        });
      const report = async (path: string, body: unknown) => {
        const response = await fetch(url(`/reporter/${path}/`), {
          method: 'POST',
          headers: { Authorization: basicAuth('reporter-secret'), ...JSON_HEADERS },
          body: JSON.stringify(body),
        });
        assert.equal(response.status, 200);
      };
      const payloads = () => capture.requests.map((request) => JSON.parse(request.body) as Payload);
      const withStore = async <T>(read: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>) => {
        const store = await openStore(location);
        try {
          return await read(store);
        } finally {
          await store.close();
        }
      };

      const startVigil = () => startServing(['-c', configPath], url('/status/text'));

      /** Everything point 2 lists, as the previous run left it. */
      async function assertSurvived(before: { announcementId: string; alertState: AlertState }) {
        assert.deepEqual(await (await manager('/manager/announcements/')).json(), [
          { id: before.announcementId, title: 'Planned maintenance' },
        ]);
        const { reminders_seconds: left } = (await (
          await manager('/manager/prober/alerts/ignored/')
        ).json()) as {
          reminders_seconds: number;
        };
        assert.ok(left > 3500 && left <= 3600, `${left} s of the ignore window left`);
        assert.deepEqual(await (await manager('/manager/prober/alerts/')).json(), {
          dead: [{ probe: 'web', node: 'app', replica: 'gone' }],
          sick: [
            { probe: 'web', node: 'app', replica: 'busy' },
            { probe: 'relay', node: 'lan', replica: 'lan-1' },
          ],
        });
        assert.equal(await (await fetch(url('/status/text'))).text(), 'dead');
        assert.deepEqual(await withStore(pageState), before.alertState);
      }

      test('announcements, ignore window, alert state, replicas and the outbox survive kill -9 and a graceful stop', async () => {
        // An alert a previous run left undelivered: the first run must send it.
        await withStore((store) =>
          store.outbox.enqueue(
            {
              id: 'left-over',
              kind: 'reminder',
              status: 'dead',
              replicas: ['older:run:left-over'],
              atMs: Date.now(),
              page: { title: 'Test Status', url: 'https://status.example.com/' },
            },
            ['webhook'],
            Date.now(),
          ),
        );

        const first = await startVigil();
        await report('web/app', { replica: 'busy', interval: 3600, load: { cpu: 0.99, ram: 0.1 } });
        await report('web/app', { replica: 'gone', interval: 1, load: { cpu: 0.1, ram: 0.1 } });
        await report('relay/lan', { replica: 'lan-1', interval: 3600, health: 'sick' });
        const created = await manager('/manager/announcement/', {
          method: 'POST',
          body: JSON.stringify({ title: 'Planned maintenance', text: 'Tonight' }),
        });
        const { id: announcementId } = (await created.json()) as { id: string };
        assert.equal(
          (
            await manager('/manager/prober/alerts/ignored/', {
              method: 'PUT',
              body: '{"reminders_seconds":3600}',
            })
          ).status,
          200,
        );

        // "gone" falls silent: the page turns dead, the alert is decided, its first delivery fails.
        await waitFor(
          'the dead alert attempt',
          () => payloads().some((each) => each.type === 'changed'),
          15_000,
        );
        assert.ok(payloads().some((each) => each.replicas.includes('older:run:left-over')));
        const alertState = await waitForValue('the stored dead alert state', () =>
          withStore(async (store) => {
            const state = await pageState(store);
            return state?.lastStatus === 'dead' ? state : undefined;
          }),
        );
        await waitForValue('the stored replicas', () =>
          withStore(async (store) => {
            const replicas = await store.replicas.list();
            return replicas.find((each) => each.replicaId === 'gone')?.health === 'dead'
              ? replicas
              : undefined;
          }),
        );
        const pending = await withStore((store) => store.outbox.pending());
        assert.deepEqual(
          pending.map((item) => [item.alert.kind, item.alert.status, item.attempts]),
          [['changed', 'dead', 1]],
        );

        first.kill('SIGKILL');
        assert.equal((await exited(first)).signal, 'SIGKILL');
        failDeadAlerts = false;
        const seenBeforeRestart = capture.requests.length;

        const second = await startVigil();
        await assertSurvived({ announcementId, alertState });
        // The alert that never got through goes out once; no startup "healthy", no second "dead".
        await waitFor('the retried dead alert', () => capture.requests.length > seenBeforeRestart, 15_000);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.deepEqual(
          payloads()
            .slice(seenBeforeRestart)
            .map((each) => [each.type, each.status]),
          [['changed', 'dead']],
        );
        assert.deepEqual(await withStore((store) => store.outbox.pending()), []);

        second.kill('SIGTERM');
        assert.equal((await exited(second)).code, 0);
        const seenBeforeSecondRestart = capture.requests.length;

        const third = await startVigil();
        await assertSurvived({ announcementId, alertState });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(capture.requests.length, seenBeforeSecondRestart, 'no alert after a graceful restart');
        third.kill('SIGTERM');
        assert.equal((await exited(third)).code, 0);
      });
    },
    [only],
  );
}

/** The whole-page watcher's stored state: Vigil's alert state. */
async function pageState(store: Store): Promise<AlertState | undefined> {
  return (await store.alerts.watcherStates()).get(PAGE_WATCHER_KEY);
}

/** Polls `read` until it returns a value. */
async function waitForValue<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  let value: T | undefined;
  await waitFor(
    what,
    async () => {
      value = await read();
      return value !== undefined;
    },
    timeoutMs,
  );
  return value as T;
}
