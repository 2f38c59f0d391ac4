import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The test signing CA; its certificate is in fixtures/tls/ca.pem, trusted through NODE_EXTRA_CA_CERTS. */
const SIGNING_CA = fileURLToPath(new URL('../fixtures/tls/signing-ca.pem', import.meta.url));
const SIGNING_CA_KEY = fileURLToPath(new URL('../fixtures/tls/signing-ca.key', import.meta.url));

export interface IssuedCertificate {
  cert: Buffer;
  key: Buffer;
  /** notAfter, in ms since the epoch. */
  expiryMs: number;
}

/**
 * A certificate signed by the test signing CA, made with `openssl` in `dir`: valid from now for
 * `days` (-1: it expired a day ago), for the names in `subjectAltName`.
 */
export function issueCertificate(
  dir: string,
  name: string,
  days: number,
  subjectAltName = 'IP:127.0.0.1,DNS:localhost',
): IssuedCertificate {
  const path = (suffix: string) => join(dir, `${name}.${suffix}`);
  writeFileSync(path('ext'), `subjectAltName=${subjectAltName}\n`);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      path('key'),
      '-out',
      path('csr'),
      '-subj',
      '/CN=vigil-test',
    ]),
  );
  openssl(
    ['x509', '-req', '-in', path('csr'), '-CA', SIGNING_CA, '-CAkey', SIGNING_CA_KEY].concat([
      '-days',
      String(days),
      '-extfile',
      path('ext'),
      '-out',
      path('pem'),
    ]),
  );
  const cert = readFileSync(path('pem'));
  return { cert, key: readFileSync(path('key')), expiryMs: Date.parse(new X509Certificate(cert).validTo) };
}
