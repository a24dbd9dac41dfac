import { z } from 'zod';
import { bool, brokers, int, logLevel, url, windows } from './config.fields';

/** The variables every app shares: where the stack is, and how to log. */
export const INFRA_DEFAULTS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: 'redis://127.0.0.1:6379',
  /** The Confluent-compatible API of the local stack's registry (Apicurio serves it under /apis/ccompat/v7). */
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
} as const;

/** The SASL mechanisms every Kafka client of the project can authenticate with. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** The record-batch codecs a producer of ours may write; every consumer reads all of them. */
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

/** How every Kafka client of the project encrypts and authenticates (libs/kafka kafkaSecurity). */
export const kafkaSecurityShape = {
  /** TLS to the brokers; the three files are PEM (CA bundle, client certificate and key for mTLS). */
  KAFKA_SSL: bool().default(false),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  /** SASL authentication; with KAFKA_SSL=false the password crosses the network in clear (PLAIN). */
  KAFKA_SASL_MECHANISM: z.enum(KAFKA_SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

export const infraShape = {
  KAFKA_BROKERS: brokers().default(INFRA_DEFAULTS.KAFKA_BROKERS.split(',')),
  KAFKA_REPLICATION_FACTOR: int(1, 5).default(1),
  DATABASE_URL: url(['postgres', 'postgresql']).default(INFRA_DEFAULTS.DATABASE_URL),
  REDIS_URL: url(['redis', 'rediss']).default(INFRA_DEFAULTS.REDIS_URL),
  SCHEMA_REGISTRY_URL: url(['http', 'https']).default(INFRA_DEFAULTS.SCHEMA_REGISTRY_URL),
  KAFKA_COMPRESSION: z.enum(KAFKA_COMPRESSIONS).default('none'),
  ...kafkaSecurityShape,
  LOG_LEVEL: logLevel().default('info'),
  /**
   * The windows computed, stored, queried and alerted on; every app of one deployment must be given
   * the same list (topics are named after the windows). Changing it needs new processor state.
   */
  WINDOWS: windows(),
};
