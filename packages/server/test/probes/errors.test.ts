import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError, ProbeFailure } from '../../src/probes/errors.js';

const systemError = (code: string, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { code }, extra);

test('network and DNS errors read as short reasons', () => {
  const cases: [Error, string][] = [
    [systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND x.invalid'), 'DNS lookup failed (ENOTFOUND)'],
    [systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN x'), 'DNS lookup failed (EAI_AGAIN)'],
    [systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'connection refused'],
    [systemError('ECONNRESET', 'read ECONNRESET'), 'connection reset'],
    [systemError('ECONNRESET', 'socket hang up'), 'connection closed without a response'],
    [systemError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:22'), 'host unreachable'],
    [systemError('EMFILE', 'spawn sh EMFILE'), 'spawn sh EMFILE'],
    [systemError('ERR_INVALID_URL', 'Invalid URL'), 'Invalid URL (ERR_INVALID_URL)'],
  ];
  for (const [error, reason] of cases) assert.equal(describeError(error), reason);
});

test('TLS errors are prefixed and keep the verification message', () => {
  assert.equal(
    describeError(systemError('CERT_HAS_EXPIRED', 'certificate has expired')),
    'TLS: certificate has expired',
  );
  assert.equal(
    describeError(systemError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')),
    'TLS: unable to verify the first certificate',
  );
  assert.equal(
    describeError(
      systemError('ERR_TLS_CERT_ALTNAME_INVALID', 'Hostname/IP does not match…', { host: 'a.test' }),
    ),
    'TLS: certificate is not valid for a.test',
  );
  assert.equal(
    describeError(
      systemError(
        'ERR_SSL_WRONG_VERSION_NUMBER',
        'C0:error:0A00010B:SSL routines::wrong version number:x.c:1:',
      ),
    ),
    'TLS: wrong version number',
  );
});

test('probe failures and plain errors keep their message', () => {
  assert.equal(describeError(new ProbeFailure('status 503')), 'status 503');
  assert.equal(describeError(new Error('timed out after 1 s')), 'timed out after 1 s');
  assert.equal(describeError('odd'), 'odd');
});
