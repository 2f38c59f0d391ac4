import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ASSET_FILES, AssetCatalog, assetDirectory } from '../../src/web/asset-catalog.js';

const SOURCE_MODULE = new URL('../../src/web/asset-catalog.ts', import.meta.url).href;
const BUILT_MODULE = new URL('../../dist/web/asset-catalog.js', import.meta.url).href;
/** A chunk of the bundle (scripts/bundle.mjs), one folder deeper than `src/web/` and `dist/web/`. */
const BUNDLED_MODULE = new URL('../../dist/bundle/chunk-ABCDEFGH.js', import.meta.url).href;

describe('asset catalog', () => {
  test('run from src (tsx), dist (node) or the bundle, the module finds the one asset folder in src', () => {
    const expected = fileURLToPath(new URL('../../src/web/assets/', import.meta.url));
    assert.equal(assetDirectory(SOURCE_MODULE), expected);
    assert.equal(assetDirectory(BUILT_MODULE), expected);
    assert.equal(assetDirectory(BUNDLED_MODULE), expected);
    for (const name of ASSET_FILES) assert.ok(existsSync(expected + name), name);
  });

  test('every listed file and the status icons load, with versioned relative URLs', () => {
    const catalog = AssetCatalog.load();
    for (const name of [...ASSET_FILES, 'icon-healthy.svg', 'icon-sick.svg', 'icon-dead.svg']) {
      assert.ok(catalog.get(name), name);
      assert.match(catalog.url(name), new RegExp(`^assets/${name.replace('.', '\\.')}\\?v=[\\w-]{8}$`));
    }
    assert.throws(() => catalog.url('missing.css'), /unknown asset/);
  });

  test('a missing asset folder fails at start with its path', () => {
    assert.throws(
      () => AssetCatalog.load({ directory: '/nonexistent/assets' }),
      /asset directory not found: \/nonexistent/,
    );
  });
});
