import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { StorageConfig } from '../config/schema.js';

/** A backup that cannot be made as asked; the message says what to do instead. */
export class BackupError extends Error {}

export interface BackupResult {
  source: string;
  destination: string;
  bytes: number;
}

/** Every remaining page in one step: one read transaction, so the copy is one consistent snapshot. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the SQLite store `[storage]` names to `destination` while a server may be writing to it,
 * with SQLite's online backup (the store is opened read-only; WAL lets the server write meanwhile).
 * The copy is written beside `destination` and renamed into place once checked, so a failed
 * backup never leaves a partial file where a good one was.
 */
export async function backupSqliteStore(storage: StorageConfig, destination: string): Promise<BackupResult> {
  if (storage.engine === 'postgres') {
    throw new BackupError(
      'the store is PostgreSQL: back it up with pg_dump, e.g. `pg_dump --format=custom --file=vigil.dump "$URL"` ' +
        '(restore with pg_restore); `vigil backup` copies SQLite stores only',
    );
  }
  if (storage.path === ':memory:')
    throw new BackupError('the store is in memory (path = ":memory:"): nothing to back up');
  const source = resolve(storage.path);
  if (!existsSync(source)) {
    throw new BackupError(`no SQLite store at ${source} (storage.path, relative to the working directory)`);
  }
  const target = resolve(destination);
  if (!existsSync(dirname(target))) throw new BackupError(`folder ${dirname(target)} does not exist`);
  if (existsSync(target) && realpathSync(target) === realpathSync(source)) {
    throw new BackupError(`${destination} is the store itself`);
  }

  const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  const database = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    // The server holds the write lock only briefly per batch; wait for it rather than fail.
    database.pragma('busy_timeout = 5000');
    await database.backup(partial, { progress: () => ALL_PAGES });
    finishCopy(partial);
    renameSync(partial, target);
  } catch (error) {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(leftover, { force: true });
    throw error;
  } finally {
    database.close();
  }
  return { source, destination: target, bytes: statSync(target).size };
}

/**
 * Makes the copy one self-contained file (the store's WAL mode comes along with its pages; the
 * server turns it back on when it opens a restored copy), and refuses one SQLite finds damaged.
 */
function finishCopy(file: string): void {
  const copy = new SqliteDatabase(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const result = copy.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new BackupError(`the copy failed SQLite's check: ${String(result)}`);
  } finally {
    copy.close();
  }
}
