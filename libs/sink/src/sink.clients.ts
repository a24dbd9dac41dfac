import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { createKafka, type KafkaSecurity } from '@streammetrics/kafka';
import type { SinkLog } from './sink.log';

/** The sink's PostgreSQL pool: a dropped connection is logged and retried, never a crash. */
export function sinkPool(databaseUrl: string, size: number, log: SinkLog): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: size,
    connectionTimeoutMillis: 3_000,
    query_timeout: 60_000,
    keepAlive: true,
  });
  // An idle client losing its connection emits here; without a listener the process would exit.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle PostgreSQL client failed'));
  // A checked-out client whose connection drops between two queries emits 'error' too (the next
  // query then fails and is retried); without a listener that event would crash the process.
  pool.on('connect', (client) =>
    client.on('error', (err) => log.warn({ err: err.message }, 'PostgreSQL connection lost')),
  );
  return pool;
}

/** The sink's Redis client: fails fast while disconnected, so the consumer's retry loop decides. */
export function sinkRedis(redisUrl: string, log: SinkLog): Redis {
  const redis = new Redis(redisUrl, {
    // No offline queue, no per-command retries: the consumer's retry loop owns backoff and
    // heartbeats; a queued command would hang the batch silently.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 10_000,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  redis.on('error', (err) => log.warn({ err: err.message }, 'Redis connection error'));
  return redis;
}

/** The sink's Kafka client; kafkajs' warnings and errors go to the sink's log. */
export function sinkKafka(brokers: string[], security: KafkaSecurity | undefined, log: SinkLog): Kafka {
  return createKafka({
    brokers,
    security,
    clientId: 'aggregate-sink',
    log: (level, message, extra) =>
      level === 'error' || level === 'warn' ? log.warn(extra, message) : undefined,
  });
}
