import { z } from 'zod';
import { authChecks, authShape, int, infraShape, loadConfig, workers, type Env } from '@streammetrics/config';

/** The gateway's environment, validated once at boot; every bad variable is listed. */
export const ingestGatewayShape = {
  ...infraShape,
  ...authShape,
  GATEWAY_PORT: int(1, 65535).default(8080),
  GATEWAY_WORKERS: workers(),
  TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/)
    .default(''),
  GATEWAY_BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  GATEWAY_DATACENTER: z.string().min(1).max(64).default('local'),
  GATEWAY_DEFAULT_RATE: int(1, 100_000_000).default(10_000),
  GATEWAY_RATE_WINDOW_MS: int(100, 60_000).default(1000),
  GATEWAY_MAX_SERIES_PER_KEY: int(1, 10_000_000).default(10_000),
  GATEWAY_RATE_LIMIT_FALLBACK: z.enum(['local', 'closed', 'open']).default('local'),
  GATEWAY_LINGER_MS: int(0, 1000).default(2),
  GATEWAY_BATCH_MAX_EVENTS: int(1, 100_000).default(5000),
  // Below the broker's default message.max.bytes (1 MiB) even if every record lands in one partition.
  GATEWAY_BATCH_MAX_BYTES: int(1024, 16 * 1024 * 1024).default(768 * 1024),
  GATEWAY_MAX_INFLIGHT_EVENTS: int(1, 10_000_000).default(200_000),
  GATEWAY_MAX_INFLIGHT_BYTES: int(1024 * 1024, 1024 * 1024 * 1024).default(128 * 1024 * 1024),
  GATEWAY_ACK_TIMEOUT_MS: int(500, 120_000).default(10_000),
  GATEWAY_SEND_RETRIES: int(1, 20).default(3),
  GATEWAY_PRODUCERS: int(1, 16).default(4),
  GATEWAY_AUTH_CACHE_MS: int(0, 2000).default(1000),
  GATEWAY_BOOTSTRAP_KEY: z.string().min(16).max(512).optional(),
  GATEWAY_BOOTSTRAP_CLIENT: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/)
    .default('fleet'),
};

export function loadIngestGatewayConfig(env?: Env) {
  return loadConfig(ingestGatewayShape, env, [authChecks]);
}
export type IngestGatewayConfig = ReturnType<typeof loadIngestGatewayConfig>;
