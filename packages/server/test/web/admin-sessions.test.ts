import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdminSessions } from '../../src/web/admin/sessions.js';
import { FakeClock } from '../helpers/fake-clock.js';

const MINUTE_MS = 60_000;

describe('admin sessions', () => {
  test('ids and CSRF tokens are 256 random bits, distinct every time', () => {
    const sessions = new AdminSessions({ clock: new FakeClock() });
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { id, csrfToken } = sessions.create();
      assert.match(id, /^[A-Za-z0-9_-]{43}$/);
      assert.match(csrfToken, /^[A-Za-z0-9_-]{43}$/);
      seen.add(id).add(csrfToken);
    }
    assert.equal(seen.size, 100);
  });

  test('a session ends after its idle time; using it pushes the end back', () => {
    const clock = new FakeClock();
    const sessions = new AdminSessions({ clock, idleMs: 30 * MINUTE_MS });
    const { id } = sessions.create();
    clock.advance(29 * MINUTE_MS);
    assert.ok(sessions.find(id));
    clock.advance(29 * MINUTE_MS);
    assert.ok(sessions.find(id), 'used 29 minutes ago');
    clock.advance(30 * MINUTE_MS);
    assert.equal(sessions.find(id), undefined);
    assert.equal(sessions.find(id), undefined, 'gone for good');
  });

  test('a session in use still ends at its maximum age', () => {
    const clock = new FakeClock();
    const sessions = new AdminSessions({ clock, idleMs: 30 * MINUTE_MS, maxAgeMs: 60 * MINUTE_MS });
    const { id } = sessions.create();
    for (let minutes = 20; minutes < 60; minutes += 20) {
      clock.advance(20 * MINUTE_MS);
      assert.ok(sessions.find(id), `${minutes} min`);
    }
    clock.advance(20 * MINUTE_MS);
    assert.equal(sessions.find(id), undefined);
    assert.equal(sessions.maxAgeSeconds, 3600);
  });

  test('unknown, empty and ended ids find nothing', () => {
    const sessions = new AdminSessions({ clock: new FakeClock() });
    const { id } = sessions.create();
    assert.equal(sessions.find(undefined), undefined);
    assert.equal(sessions.find(''), undefined);
    assert.equal(sessions.find(`${id}x`), undefined);
    sessions.end(id);
    assert.equal(sessions.find(id), undefined);
  });

  test('past the bound, the least recently used session is dropped; expired ones go first', () => {
    const clock = new FakeClock();
    const sessions = new AdminSessions({ clock, maxSessions: 3, idleMs: 10 * MINUTE_MS });
    const [a, b, c] = [sessions.create(), sessions.create(), sessions.create()];
    sessions.find(a?.id);
    sessions.create();
    assert.equal(sessions.size, 3);
    assert.equal(sessions.find(b?.id), undefined, 'least recently used');
    assert.ok(sessions.find(a?.id));
    assert.ok(sessions.find(c?.id));
    clock.advance(10 * MINUTE_MS);
    sessions.create();
    assert.equal(sessions.size, 1, 'the expired ones were forgotten at the next sign-in');
  });
});
