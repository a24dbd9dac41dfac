import { Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { CLOCK, systemClock, type Clock } from '@streammetrics/contracts';
import { createKafka } from '@streammetrics/kafka';
import { exitForRestart, METRICS_REGISTRY } from '@streammetrics/observability';
import { EventDecoder, RegistrySchemaSource } from '@streammetrics/registry';
import { EosRuntime, processorTopics } from './eos.runtime';
import { KafkaInputConsumer } from './kafka-input.consumer';
import { kafkaChangelogRestorer, kafkaProducers } from './kafka.producers';
import { ProcessorMetrics } from './processor.metrics';
import { PROCESSOR_OPTIONS, type ProcessorOptions } from './processor.options';
import { ProcessorService } from './processor.service';

const PROCESSOR_KAFKA = Symbol('PROCESSOR_KAFKA');

/** The stream processor: the exactly-once runtime on kafkajs, its decoder, metrics and clock. */
@Module({})
export class ProcessorModule {
  static forRoot(options: ProcessorOptions): DynamicModule {
    const opts: ProcessorOptions = { ...options, onFatal: options.onFatal ?? exitForRestart };
    return {
      module: ProcessorModule,
      providers: [
        { provide: PROCESSOR_OPTIONS, useValue: opts },
        { provide: CLOCK, useValue: systemClock },
        {
          provide: PROCESSOR_KAFKA,
          inject: [PinoLogger],
          useFactory: (logger: PinoLogger) => {
            logger.setContext('kafkajs');
            return createKafka({
              brokers: opts.brokers,
              security: opts.kafkaSecurity,
              clientId: opts.groupId,
              log: (level, message, extra) => logger[level]({ ...extra, source: 'kafkajs' }, message),
            });
          },
        },
        {
          provide: ProcessorMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => new ProcessorMetrics(registry),
        },
        {
          provide: EventDecoder,
          inject: [CLOCK],
          useFactory: (clock: Clock) =>
            new EventDecoder(new RegistrySchemaSource(opts.schemaRegistryUrl), () => clock.now()),
        },
        {
          provide: EosRuntime,
          inject: [PROCESSOR_KAFKA, ProcessorMetrics, EventDecoder, CLOCK, PinoLogger],
          useFactory: (
            kafka: Kafka,
            metrics: ProcessorMetrics,
            decoder: EventDecoder,
            clock: Clock,
            logger: PinoLogger,
          ) => {
            logger.setContext('EosRuntime');
            const topics = processorTopics(opts.topicPrefix);
            return new EosRuntime(opts, {
              input: new KafkaInputConsumer(kafka, opts, topics.input),
              producers: kafkaProducers(kafka, opts),
              restorer: kafkaChangelogRestorer(kafka, topics.changelog),
              decoder,
              clock,
              metrics,
              log: logger,
            });
          },
        },
        ProcessorService,
      ],
    };
  }
}
