import SqliteDatabase from 'better-sqlite3';

/** What one call did: pages given back, none to give, or no way to ask on this system. */
export type TrimOutcome = 'released' | 'nothing-to-release' | 'unavailable';

/** glibc's shared library, by the name its dynamic loader knows it under on every Linux. */
const GLIBC = 'libc.so.6';
/** better-sqlite3 takes an entry point since v8; @types/better-sqlite3 (9.6, the latest) omits it. */
type LoadExtension = (this: SqliteDatabase.Database, path: string, entryPoint: string) => unknown;

/** SQLite's message when an extension's entry point returns non-zero: here, malloc_trim's 1. */
const ENTRY_POINT_RETURNED_NON_ZERO = /^error during initialization/;

/**
 * Gives back to the system the whole pages that glibc's allocator holds free inside its arenas.
 *
 * A start or a burst of work leaves megabytes freed but kept by glibc (~5 MB on the shipped config,
 * idle: parsing, the first render, the threads' own arenas), which `malloc_trim(0)` would return.
 * Node has no binding for it, so it is called through the one loader of native code already in the
 * process: SQLite's, which better-sqlite3 enables for its C API (`loadExtension`, never the SQL
 * function). SQLite opens the library and calls the named entry point with `(db, &error, api)`;
 * `malloc_trim(size_t pad)` reads the connection's address as `pad`, the free space to keep at the
 * main heap's top, which is larger than any heap: that top is left as glibc's own threshold leaves
 * it, and the free pages inside every arena are returned, which is where a collection leaves them.
 * Extra arguments in registers are harmless under the calling conventions Node runs on. It then
 * returns 1 when pages were returned, which SQLite reports as an error, and 0 when there were none.
 *
 * Elsewhere (musl, macOS, Windows) the library is not found: `'unavailable'`, every time, at the
 * cost of one failed lookup.
 */
export function trimFreedMemory(): TrimOutcome {
  const connection = new SqliteDatabase(':memory:');
  try {
    (connection.loadExtension as LoadExtension).call(connection, GLIBC, 'malloc_trim');
    return 'nothing-to-release';
  } catch (error) {
    return ENTRY_POINT_RETURNED_NON_ZERO.test((error as Error).message) ? 'released' : 'unavailable';
  } finally {
    connection.close();
  }
}
