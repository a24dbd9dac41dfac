import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** PEM of the CA that signed the broker's certificate: what a client trusts (KAFKA_SSL_CA_FILE). */
  caFile: string;
  /** PKCS#12 keystore of the broker (certificate for 127.0.0.1 and its key). */
  keystoreFile: string;
  keystorePassword: string;
}

/** A throwaway CA and a broker certificate for 127.0.0.1, made with openssl into `dir`. */
export function makeTestCertificates(dir: string): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=streammetrics-test-ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('broker.key'),
    '-out',
    f('broker.csr'),
  );
  // Clients check the name they dialled against the certificate: the broker is reached as 127.0.0.1.
  writeFileSync(f('broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(
    'x509',
    '-req',
    '-in',
    f('broker.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('broker.ext'),
    '-out',
    f('broker.pem'),
  );
  const keystorePassword = 'test-keystore-pw';
  ssl(
    'pkcs12',
    '-export',
    '-in',
    f('broker.pem'),
    '-inkey',
    f('broker.key'),
    '-name',
    'broker',
    '-passout',
    `pass:${keystorePassword}`,
    '-out',
    f('broker.p12'),
  );
  return { caFile: f('ca.pem'), keystoreFile: f('broker.p12'), keystorePassword };
}
