import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@streammetrics/auth';
import { GatewayModule } from '@streammetrics/gateway';
import { compressionOf, kafkaSecurity } from '@streammetrics/kafka';
import { ObservabilityModule } from '@streammetrics/observability';
import type { IngestGatewayConfig } from './ingest-gateway.config';

@Module({})
export class AppModule {
  static forRoot(c: IngestGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'ingest-gateway', logLevel: c.LOG_LEVEL }),
        AuthModule.forRoot({
          databaseUrl: c.DATABASE_URL,
          pepper: c.API_KEY_PEPPER,
          cacheTtlMs: c.GATEWAY_AUTH_CACHE_MS,
          unauthenticatedPerSecond: c.AUTH_UNAUTHENTICATED_RATE,
        }),
        GatewayModule.forRoot({
          kafkaBrokers: c.KAFKA_BROKERS,
          kafkaSecurity: kafkaSecurity(c),
          redisUrl: c.REDIS_URL,
          topicPrefix: c.TOPIC_PREFIX,
          replicationFactor: c.KAFKA_REPLICATION_FACTOR,
          datacenter: c.GATEWAY_DATACENTER,
          defaultRatePerSecond: c.GATEWAY_DEFAULT_RATE,
          rateWindowMs: c.GATEWAY_RATE_WINDOW_MS,
          rateLimitFallback: c.GATEWAY_RATE_LIMIT_FALLBACK,
          maxSeriesPerKey: c.GATEWAY_MAX_SERIES_PER_KEY,
          lingerMs: c.GATEWAY_LINGER_MS,
          maxBatchEvents: c.GATEWAY_BATCH_MAX_EVENTS,
          maxBatchBytes: c.GATEWAY_BATCH_MAX_BYTES,
          maxInFlightEvents: c.GATEWAY_MAX_INFLIGHT_EVENTS,
          maxInFlightBytes: c.GATEWAY_MAX_INFLIGHT_BYTES,
          ackTimeoutMs: c.GATEWAY_ACK_TIMEOUT_MS,
          sendRetries: c.GATEWAY_SEND_RETRIES,
          producers: c.GATEWAY_PRODUCERS,
          compression: compressionOf(c.KAFKA_COMPRESSION),
          kafkaClientId: 'ingest-gateway',
        }),
      ],
    };
  }
}
