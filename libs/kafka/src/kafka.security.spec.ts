import { ConfigError } from '@streammetrics/config';
import { kafkaSecurity } from './kafka.security';

const files: Record<string, string> = { '/ca.pem': 'CA', '/c.pem': 'CERT', '/k.pem': 'KEY' };
const read = (p: string) => {
  if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return files[p]!;
};

describe('kafkaSecurity', () => {
  it('is plaintext when nothing is set', () => {
    expect(kafkaSecurity({ KAFKA_SSL: false }, read)).toEqual({});
  });

  it('builds TLS with a CA and a client certificate, and SASL', () => {
    expect(
      kafkaSecurity(
        {
          KAFKA_SSL: true,
          KAFKA_SSL_CA_FILE: '/ca.pem',
          KAFKA_SSL_CERT_FILE: '/c.pem',
          KAFKA_SSL_KEY_FILE: '/k.pem',
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'app',
          KAFKA_SASL_PASSWORD: 'secret-pw',
        },
        read,
      ),
    ).toEqual({
      ssl: { ca: ['CA'], cert: 'CERT', key: 'KEY' },
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'secret-pw' },
    });
    expect(kafkaSecurity({ KAFKA_SSL: true }, read)).toEqual({ ssl: true });
  });

  it('lists every inconsistent or unreadable setting, never the password', () => {
    let error: unknown;
    try {
      kafkaSecurity(
        {
          KAFKA_SSL: false,
          KAFKA_SSL_CA_FILE: '/missing.pem',
          KAFKA_SSL_CERT_FILE: '/c.pem',
          KAFKA_SASL_PASSWORD: 'secret-pw',
        },
        read,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/KAFKA_SSL_CA_FILE: cannot read "\/missing.pem" \(ENOENT\)/);
    expect(problems.join('\n')).not.toContain('secret-pw');
  });
});
