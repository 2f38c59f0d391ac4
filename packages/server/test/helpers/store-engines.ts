import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { StoreLocation } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import type { StorageEngine, Store } from '../../src/store/types.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';

export const ENGINES: readonly StorageEngine[] = ['sqlite', 'postgres'];

/** One engine under test: each `freshLocation` is an empty database of its own. */
export interface TestEngine {
  readonly engine: StorageEngine;
  freshLocation(): Promise<StoreLocation>;
  /** Opens (and migrates) a fresh database. */
  freshStore(): Promise<Store>;
}

/**
 * Runs `body` once per engine (or for the engines given), each in its own describe block. PostgreSQL is a real server, started
 * once for the file and stopped after it; SQLite files live in a temp folder.
 */
export function describeEachEngine(
  title: string,
  body: (engine: TestEngine) => void,
  engines: readonly StorageEngine[] = ENGINES,
): void {
  for (const engine of engines) {
    describe(`${title} [${engine}]`, () => {
      const fixture = engineFixture(engine);
      before(() => fixture.setUp());
      body(fixture);
      // Registered after the body's own hooks, so servers built on the database stop first.
      after(() => fixture.tearDown());
    });
  }
}

function engineFixture(engine: StorageEngine) {
  let postgres: TestPostgres | undefined;
  /** A migrated database that each fresh one copies: faster than migrating each. */
  let template: string | undefined;
  let folder: string | undefined;
  let files = 0;
  const fixture = {
    engine,
    async setUp() {
      if (engine === 'postgres') {
        postgres = await startTestPostgres();
        const url = await postgres.createDatabase();
        await (await openStore({ engine, url })).close();
        template = new URL(url).pathname.slice(1);
      } else folder = mkdtempSync(join(tmpdir(), 'vigil-sqlite-'));
    },
    async tearDown() {
      await postgres?.stop();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
    async freshLocation(): Promise<StoreLocation> {
      if (postgres) return { engine: 'postgres', url: await postgres.createDatabase(template), poolSize: 4 };
      if (!folder) throw new Error('the engine fixture is not set up');
      return { engine: 'sqlite', path: join(folder, `store-${++files}.db`) };
    },
    async freshStore() {
      return openStore(await fixture.freshLocation());
    },
  };
  return fixture;
}
