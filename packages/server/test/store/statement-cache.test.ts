import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { cachingStatements } from '../../src/store/statement-cache.js';

function withDatabase(run: (database: SqliteDatabase.Database) => void): void {
  const folder = mkdtempSync(join(tmpdir(), 'vigil-statement-cache-'));
  const database = new SqliteDatabase(join(folder, 'store.sqlite'));
  try {
    database.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, value INTEGER)');
    run(database);
  } finally {
    database.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

test('a SQL text prepared again reuses its compiled statement, with the new parameters', () => {
  withDatabase((database) => {
    const cached = cachingStatements(database);
    const insert = 'INSERT INTO t (id, value) VALUES (?, ?)';
    const first = cached.prepare(insert);
    first.run([1, 10]);
    const second = cached.prepare(insert);
    second.run([2, 20]);
    assert.equal(second, first);
    const rows = cached.prepare('SELECT id, value FROM t ORDER BY id').all([]);
    assert.deepEqual(rows, [
      { id: 1, value: 10 },
      { id: 2, value: 20 },
    ]);
  });
});

test('past its capacity, the least recently used statement is dropped and the rest kept', () => {
  withDatabase((database) => {
    const cached = cachingStatements(database, 2);
    const select = (column: string) => `SELECT ${column} FROM t`;
    const id = cached.prepare(select('id'));
    const value = cached.prepare(select('value'));
    // `id` used again, so `value` is now the least recently used.
    assert.equal(cached.prepare(select('id')), id);
    cached.prepare(select('id, value'));
    assert.equal(cached.prepare(select('id')), id);
    assert.notEqual(cached.prepare(select('value')), value);
  });
});

test('closing closes the database', () => {
  withDatabase((database) => {
    cachingStatements(database).close();
    assert.equal(database.open, false);
  });
});
