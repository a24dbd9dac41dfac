import { Module, Logger, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CLOCK, systemClock } from '@streammetrics/contracts';
import { EventPublisher } from './event.publisher';
import { EVENTS_PRODUCER } from './events.producer.port';
import { GatewayExceptionFilter } from './gateway-exception.filter';
import { GatewayMetrics } from './gateway.metrics';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { KafkaEventsRepository } from './kafka-events.repository';
import { RateLimitRepository } from './rate-limit.repository';
import { RateLimitService } from './rate-limit.service';
import { SeriesBudgetService } from './series-budget.service';

const kafkaLog = new Logger('kafkajs');

/** The ingest feature: controller, mapping/validation, per-key rate limit, micro-batching producer. */
@Module({})
export class GatewayModule {
  static forRoot(opts: GatewayOptions): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [IngestController],
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: opts },
        { provide: CLOCK, useValue: systemClock },
        { provide: APP_FILTER, useClass: GatewayExceptionFilter },
        {
          provide: KafkaEventsRepository,
          useFactory: () =>
            new KafkaEventsRepository({
              brokers: opts.kafkaBrokers,
              security: opts.kafkaSecurity,
              clientId: opts.kafkaClientId,
              topicPrefix: opts.topicPrefix,
              replicationFactor: opts.replicationFactor,
              ackTimeoutMs: opts.ackTimeoutMs,
              sendRetries: opts.sendRetries,
              producers: opts.producers,
              compression: opts.compression,
              log: (level, message, extra) =>
                level === 'error' || level === 'warn'
                  ? kafkaLog[level === 'error' ? 'error' : 'warn'](`${message} ${JSON.stringify(extra)}`)
                  : kafkaLog.debug(message),
            }),
        },
        { provide: EVENTS_PRODUCER, useExisting: KafkaEventsRepository },
        { provide: RateLimitRepository, useFactory: () => new RateLimitRepository(opts.redisUrl) },
        GatewayMetrics,
        EventPublisher,
        RateLimitService,
        SeriesBudgetService,
        IngestService,
      ],
      exports: [GatewayMetrics],
    };
  }
}
