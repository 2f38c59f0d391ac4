import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redactUrl } from '../../src/probes/redact.js';

describe('redactUrl', () => {
  test('masks user info, with or without a password', () => {
    assert.equal(redactUrl('https://vigil:s3cret@example.com/health'), 'https://***@example.com/health');
    assert.equal(redactUrl('http://token@example.com:8080/'), 'http://***@example.com:8080/');
    assert.equal(redactUrl('mysql://vigil:s3cret@db:3306/shop'), 'mysql://***@db:3306/shop');
    assert.equal(redactUrl('mqtt://probe:s3cret@broker:1883'), 'mqtt://***@broker:1883');
  });

  test('masks the values of secret-looking query parameters and keeps the others', () => {
    assert.equal(
      redactUrl('https://example.com/ping?region=eu&token=abc&api_key=def&X-Auth=ghi&sig=jkl#top'),
      'https://example.com/ping?region=eu&token=***&api_key=***&X-Auth=***&sig=***#top',
    );
    assert.equal(
      redactUrl('https://example.com/?access_token=a&password=b&key=c'),
      'https://example.com/?access_token=***&password=***&key=***',
    );
    assert.equal(
      redactUrl('https://example.com/?api%5Fkey=a&flag&page=2'),
      'https://example.com/?api%5Fkey=***&flag&page=2',
    );
  });

  test('leaves a URL without secrets unchanged, character for character', () => {
    for (const url of [
      'HTTP://Example.COM:80/a/../b?q=1',
      'tcp://10.0.0.1:22',
      'icmp://[::1]',
      'https://example.com/?monkey=1&keyboard=2',
      'https://example.com/path@with-at?x=%E0%A4%A',
      '192.168.1.10',
      '',
    ]) {
      assert.equal(redactUrl(url), url);
    }
  });

  test('a question mark in the fragment is not a query, one in a query value is', () => {
    assert.equal(redactUrl('https://example.com/#?token=x'), 'https://example.com/#?token=x');
    assert.equal(
      redactUrl('https://example.com/?next=/a?b&token=x'),
      'https://example.com/?next=/a?b&token=***',
    );
  });
});
