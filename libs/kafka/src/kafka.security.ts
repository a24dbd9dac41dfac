import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { ConfigError, type KafkaSaslMechanism } from '@streammetrics/config';

/** How a client authenticates and encrypts, as kafkajs takes it; nothing set = plaintext. */
export interface KafkaSecurity {
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

/** The variables of libs/config's infra shape that say how to reach the brokers securely. */
export interface KafkaSecurityConfig {
  KAFKA_SSL: boolean;
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SSL_CERT_FILE?: string;
  KAFKA_SSL_KEY_FILE?: string;
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

/**
 * The KafkaSecurity of an app's config, read once at boot. The PEM files are read here, so a wrong
 * path fails the start listing the variable, not the first connection. Every problem is listed;
 * no message shows a password.
 */
export function kafkaSecurity(
  c: KafkaSecurityConfig,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): KafkaSecurity {
  const problems: string[] = [];
  const file = (name: 'KAFKA_SSL_CA_FILE' | 'KAFKA_SSL_CERT_FILE' | 'KAFKA_SSL_KEY_FILE') => {
    const path = c[name];
    if (path === undefined) return undefined;
    try {
      return read(path);
    } catch (err) {
      problems.push(`${name}: cannot read "${path}" (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const files = {
    ca: file('KAFKA_SSL_CA_FILE'),
    cert: file('KAFKA_SSL_CERT_FILE'),
    key: file('KAFKA_SSL_KEY_FILE'),
  };
  const anyFile = c.KAFKA_SSL_CA_FILE ?? c.KAFKA_SSL_CERT_FILE ?? c.KAFKA_SSL_KEY_FILE;
  if (anyFile !== undefined && !c.KAFKA_SSL)
    problems.push('KAFKA_SSL: must be true when a KAFKA_SSL_*_FILE is set');
  if ((c.KAFKA_SSL_CERT_FILE === undefined) !== (c.KAFKA_SSL_KEY_FILE === undefined))
    problems.push(
      'KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: a client certificate needs its key, and the other way round',
    );
  const saslSet = [c.KAFKA_SASL_MECHANISM, c.KAFKA_SASL_USERNAME, c.KAFKA_SASL_PASSWORD].filter(
    (v) => v !== undefined,
  );
  if (saslSet.length > 0 && saslSet.length < 3)
    problems.push('KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: set all three or none');
  if (problems.length > 0) throw new ConfigError(problems);

  const security: KafkaSecurity = {};
  if (c.KAFKA_SSL) {
    const tls: ConnectionOptions = {};
    if (files.ca !== undefined) tls.ca = [files.ca];
    if (files.cert !== undefined) tls.cert = files.cert;
    if (files.key !== undefined) tls.key = files.key;
    security.ssl = Object.keys(tls).length > 0 ? tls : true;
  }
  if (c.KAFKA_SASL_MECHANISM && c.KAFKA_SASL_USERNAME && c.KAFKA_SASL_PASSWORD) {
    security.sasl = saslOptions(c.KAFKA_SASL_MECHANISM, c.KAFKA_SASL_USERNAME, c.KAFKA_SASL_PASSWORD);
  }
  return security;
}

// kafkajs types each mechanism as its own literal, so the union is built case by case.
function saslOptions(mechanism: KafkaSaslMechanism, username: string, password: string): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}
