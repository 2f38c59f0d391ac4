import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brandStyles } from '../../src/web/page/brand.js';
import { pageImageUrl, safeLinkUrl } from '../../src/web/page/urls.js';

describe('page URLs', () => {
  test('links keep http, https and mailto; schemes that run code are dropped', () => {
    assert.equal(safeLinkUrl('https://example.com/a?b=1'), 'https://example.com/a?b=1');
    assert.equal(safeLinkUrl('mailto:help@example.com'), 'mailto:help@example.com');
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<b>',
      'vbscript:x',
      'nope',
    ]) {
      assert.equal(safeLinkUrl(bad), undefined, bad);
    }
  });

  test('images under page_url become relative, so a proxy or sub-path serves them', () => {
    assert.equal(
      pageImageUrl('https://status.example.com/assets/logo.svg', 'https://status.example.com'),
      './assets/logo.svg',
    );
    assert.equal(
      pageImageUrl('https://example.com/status/logo.png', 'https://example.com/status/'),
      './logo.png',
    );
    assert.equal(
      pageImageUrl('https://example.com/status/a:b.png', 'https://example.com/status/'),
      './a:b.png',
    );
  });

  test('images elsewhere stay absolute; non-http images are dropped', () => {
    assert.equal(
      pageImageUrl('https://cdn.example.com/logo.png', 'https://status.example.com/'),
      'https://cdn.example.com/logo.png',
    );
    assert.equal(
      pageImageUrl('https://example.com/other/logo.png', 'https://example.com/status/'),
      'https://example.com/other/logo.png',
    );
    assert.equal(
      pageImageUrl('https://status.example.com/', 'https://status.example.com/'),
      'https://status.example.com/',
    );
    assert.equal(pageImageUrl('javascript:alert(1)', 'https://status.example.com/'), undefined);
  });
});

describe('brand styles', () => {
  test('logo_color sets the button colour with the more readable text colour', () => {
    assert.equal(brandStyles('#1565d8'), ':root{--brand:#1565d8;--brand-text:#fff}\n');
    // Vigil's blue is light enough that near-black reads better (4.8:1 against 4.4:1).
    assert.equal(brandStyles('#1972F5'), ':root{--brand:#1972F5;--brand-text:#111}\n');
    assert.equal(brandStyles('#fff'), ':root{--brand:#fff;--brand-text:#111}\n');
    assert.equal(brandStyles('rgb(10, 20, 30)'), ':root{--brand:rgb(10, 20, 30);--brand-text:#fff}\n');
    assert.equal(brandStyles('navy'), ':root{--brand:navy;--brand-text:#fff}\n');
  });

  test('anything that is not a plain colour is ignored', () => {
    for (const bad of ['red;}body{display:none', 'url(https://x)', 'expression(alert(1))', '#12}', '']) {
      assert.equal(brandStyles(bad), '', bad);
    }
  });
});
