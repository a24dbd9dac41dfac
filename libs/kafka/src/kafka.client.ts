import { assertKafkajsPatched } from './kafkajs.patch-check';
import { registerCompressionCodecs } from './compression.codecs';
import type { KafkaSecurity } from './kafka.security';
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** Receives kafkajs log lines, so apps route them into their structured logger. */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
  connectionTimeoutMs?: number;
  retries?: number;
  /** TLS and SASL (kafkaSecurity(config)); absent = plaintext, as the local stack serves. */
  security?: KafkaSecurity;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * kafkajs logs every failed attempt of a retriable request at ERROR ("Response X ...", then
 * "... retryCount: n") before retrying it; the caller gets an exception only when the retries run
 * out, and logs that. Those per-attempt lines, and two start-up notices about choices we made on
 * purpose (the default partitioner; transactional producers retry and abort themselves), go to debug.
 */
function levelOf(
  level: number,
  message: string,
  extra: Record<string, unknown>,
): 'error' | 'warn' | 'info' | 'debug' {
  const mapped = LEVELS[level] ?? 'info';
  if (mapped !== 'error' && mapped !== 'warn') return mapped;
  if (message.startsWith('Response ') || extra.retryCount !== undefined) return 'debug';
  if (/switched default partitioner|Limiting retries for the idempotent producer/.test(message))
    return 'debug';
  return mapped;
}

/** One place that builds a kafkajs client, so retry and logging policy is the same everywhere. */
export function createKafka(opts: KafkaClientOptions): Kafka {
  assertKafkajsPatched();
  registerCompressionCodecs();
  const config: KafkaConfig = {
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    ...(opts.security?.ssl ? { ssl: opts.security.ssl } : {}),
    ...(opts.security?.sasl ? { sasl: opts.security.sasl } : {}),
    retry: { retries: opts.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        opts.log?.(levelOf(level, message, extra), message, extra);
      },
  };
  return new Kafka(config);
}
