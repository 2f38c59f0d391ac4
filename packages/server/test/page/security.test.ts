import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { contentSecurityPolicy, securityHeaders } from '../../src/web/security.js';

const directive = (policy: string, name: string) =>
  policy
    .split('; ')
    .find((part) => part.startsWith(`${name} `))
    ?.slice(name.length + 1)
    .split(' ');

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('content security policy', () => {
  test('without custom_html nothing inline may run and only our origin serves code', () => {
    const policy = contentSecurityPolicy();
    assert.deepEqual(directive(policy, 'script-src'), ["'self'"]);
    assert.deepEqual(directive(policy, 'style-src'), ["'self'"]);
    assert.deepEqual(directive(policy, 'connect-src'), ["'self'"]);
    assert.deepEqual(directive(policy, 'object-src'), ["'none'"]);
    // Any site may frame the page, as Vigil's may.
    assert.deepEqual(directive(policy, 'frame-ancestors'), ['*']);
  });

  test('frame_ancestors narrows framing; X-Frame-Options says the same where it can', () => {
    const only = ["'self'", 'https://help.example.com'];
    const policy = contentSecurityPolicy({ frameAncestors: only });
    assert.deepEqual(directive(policy, 'frame-ancestors'), only);
    assert.equal(securityHeaders(policy, only)['X-Frame-Options'], undefined);
    assert.equal(securityHeaders(policy, ["'self'"])['X-Frame-Options'], 'SAMEORIGIN');
    assert.equal(securityHeaders(policy, ["'none'"])['X-Frame-Options'], 'DENY');
    assert.equal(securityHeaders(contentSecurityPolicy())['X-Frame-Options'], undefined);
  });

  test("custom_html's inline scripts and styles are allowed by hash, external ones by URL", () => {
    const inline = '\n  window.dataLayer = [];\n';
    const css = 'body{margin:0}';
    const policy = contentSecurityPolicy({
      customHtml:
        `<script>${inline}</script><script async src="https://cdn.example.com/a.js?x=1"></script>` +
        `<style media="all">${css}</style><link rel="stylesheet" href='https://fonts.example.com/f.css'>`,
    });
    assert.deepEqual(directive(policy, 'script-src'), [
      "'self'",
      sha256(inline),
      'https://cdn.example.com/a.js?x=1',
    ]);
    assert.deepEqual(directive(policy, 'style-src'), [
      "'self'",
      sha256(css),
      'https://fonts.example.com/f.css',
    ]);
  });

  test('URLs that could inject directives, and non-http schemes, are left out', () => {
    const policy = contentSecurityPolicy({
      customHtml:
        `<script src="https://x.example/a.js;script-src *"></script><script src="javascript:alert(1)"></script>` +
        `<script src="/local.js"></script>`,
    });
    assert.deepEqual(directive(policy, 'script-src'), ["'self'"]);
  });

  test('extra sources widen only the directives they name', () => {
    const policy = contentSecurityPolicy({ extra: { 'connect-src': ['https://plausible.io'] } });
    assert.deepEqual(directive(policy, 'connect-src'), ["'self'", 'https://plausible.io']);
    assert.deepEqual(directive(policy, 'script-src'), ["'self'"]);
  });
});
