import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { PageCache, type RenderedPage } from '../../src/web/page/cache.js';
import { VERSION_SLOT } from '../../src/web/page/render.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** A cache over content the test sets, with a hand-driven change source; each render costs `costMs` of CPU. */
function setUp(intervalMs = 200, costMs = 0) {
  const clock = new FakeClock();
  let content = 'a';
  let renders = 0;
  let notify = () => {};
  const cache = new PageCache({
    render: () => {
      renders += 1;
      const until = performance.now() + costMs;
      while (performance.now() < until) {
        // Stands for a large page's render time.
      }
      return `<html data-version="${VERSION_SLOT}">${content}</html>`;
    },
    sources: [
      (onChange) => {
        notify = onChange;
        return () => {
          notify = () => {};
        };
      },
    ],
    clock,
    intervalMs,
  });
  const versions: RenderedPage[] = [];
  cache.onChange((page) => versions.push(page));
  return {
    clock,
    cache,
    versions,
    renders: () => renders,
    change(next: string) {
      content = next;
      notify();
    },
  };
}

describe('page cache', () => {
  test('renders once at start and serves the same bytes until something changes', () => {
    const { cache, renders } = setUp();
    const first = cache.current();
    assert.equal(cache.current(), first);
    assert.equal(renders(), 1);
    assert.match(first.identity.toString(), /^<html data-version="[\w]+-1">a<\/html>$/);
    assert.equal(first.etag, `"${first.version}"`);
  });

  test('the compressed forms are made off the event loop and a request waits for them', async () => {
    const { cache, change, clock } = setUp(0);
    change(`<p>${'status '.repeat(500)}</p>`);
    clock.advance(1);
    const plain = cache.current();
    // Right after the render only the bytes exist: compressing them did not hold this turn.
    assert.equal(plain.br, undefined);
    assert.equal(plain.gzip, undefined);
    const page = await cache.compressedCurrent();
    assert.equal(page.version, plain.version);
    assert.equal(page.etag, plain.etag);
    assert.ok(page.br && page.br.length < plain.identity.length);
    assert.equal(gunzipSync(page.gzip ?? Buffer.alloc(0)).toString(), plain.identity.toString());
    assert.equal(brotliDecompressSync(page.br).toString(), plain.identity.toString());
    assert.equal(cache.current(), page, 'later requests get the compressed page at once');
  });

  test('a render while the previous page is compressing serves the newer page', async () => {
    const { cache, change, clock } = setUp(0);
    change(`<p>${'first '.repeat(500)}</p>`);
    clock.advance(1);
    const first = cache.current();
    change(`<p>${'second '.repeat(500)}</p>`);
    const page = await cache.compressedCurrent();
    assert.notEqual(page.version, first.version);
    assert.ok(
      brotliDecompressSync(page.br ?? Buffer.alloc(0))
        .toString()
        .includes('second'),
    );
  });

  test('a burst of changes renders once, after the interval, and notifies once', () => {
    const { cache, clock, versions, renders, change } = setUp(200);
    clock.advance(1000);
    for (let index = 0; index < 100; index++) change(`burst ${index}`);
    clock.advance(199);
    assert.equal(renders(), 1);
    clock.advance(1);
    assert.equal(renders(), 2);
    assert.equal(versions.length, 1);
    assert.ok(cache.current().identity.toString().includes('burst 99'));
  });

  test('a request renders a stale page at once when the last render is older than the interval', () => {
    const { cache, clock, versions, change } = setUp(200);
    clock.advance(500);
    change('b');
    assert.ok(cache.current().identity.toString().includes('>b<'));
    assert.equal(versions.length, 1, 'listeners hear about it too');
  });

  test('a request inside the interval gets the previous page, never one older than the interval', () => {
    const { cache, clock, change } = setUp(200);
    clock.advance(500);
    change('b');
    cache.current();
    clock.advance(50);
    change('c');
    assert.ok(cache.current().identity.toString().includes('>b<'));
    clock.advance(150);
    assert.ok(cache.current().identity.toString().includes('>c<'));
  });

  test('a change that renders the same bytes keeps the version and tells nobody', () => {
    const { cache, clock, versions, change } = setUp(0);
    const before = cache.current();
    change('a');
    clock.advance(0);
    assert.equal(cache.current(), before);
    assert.equal(versions.length, 0);
  });

  test('an expensive page renders less often: the gap is at least five times the render cost', () => {
    const { clock, renders, change } = setUp(10, 20);
    change('b');
    clock.advance(99);
    assert.equal(renders(), 1, 'not 10 ms after the change, but after 5 × 20 ms or more');
    // How much more depends on this machine's load: the measured cost can exceed 20 ms.
    clock.advance(1000);
    assert.equal(renders(), 2);
  });

  test('close stops listening and cancels the pending render', () => {
    const { cache, clock, versions, renders, change } = setUp(200);
    change('b');
    cache.close();
    assert.equal(clock.pendingTimers, 0);
    change('c');
    clock.advance(1000);
    assert.equal(renders(), 1);
    assert.equal(versions.length, 0);
  });

  test('a scheduled render runs its preparation in slices, letting the loop run between them', async () => {
    const clock = new FakeClock();
    const events: string[] = [];
    let content = 'a';
    let slicesLeft = 0;
    let notify = () => {};
    const cache = new PageCache({
      prepare: () => {
        events.push('slice');
        // Stands for other work queued meanwhile: it runs before the next slice.
        setImmediate(() => events.push('other'));
        slicesLeft = Math.max(0, slicesLeft - 1);
        return slicesLeft === 0;
      },
      render: () => {
        events.push('render');
        return `<html data-version="${VERSION_SLOT}">${content}</html>`;
      },
      sources: [
        (onChange) => {
          notify = onChange;
          return () => {};
        },
      ],
      clock,
      intervalMs: 200,
    });
    events.length = 0;
    slicesLeft = 3;
    content = 'b';
    notify();
    clock.advance(200);
    assert.deepEqual(events, ['slice'], 'the first slice at once, the rest in later turns');
    assert.ok(cache.latest().identity.toString().includes('>a<'), 'the previous page until the render ends');
    // A change while the render is under way: it renders once more after this one.
    content = 'c';
    notify();
    const page = await cache.compressedCurrent();
    assert.deepEqual(events.slice(0, 6), ['slice', 'other', 'slice', 'other', 'slice', 'render']);
    assert.ok(page.identity.toString().includes('>c<'));
    slicesLeft = 1;
    clock.advance(1000);
    assert.equal(
      events.filter((event) => event === 'render').length,
      2,
      'the change made during the render renders again',
    );
    cache.close();
  });
});
