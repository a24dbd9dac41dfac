/**
 * `npm run simulate -- --services 20 --rate 5000 [--duration 60s | --count N] [--seed 42] ...`
 * A fleet of Spring-Boot-shaped services emitting metric events to Kafka or the gateway.
 * `npm start` runs it with `--rate 200` until SIGTERM. `--help` lists every option.
 */
import { EVENTS_TOPIC, topicSpecs } from '@streammetrics/contracts';
import { compressionOf, createKafka, kafkaSecurity, provisionTopics } from '@streammetrics/kafka';
import { ConfigError, loadConfig } from '@streammetrics/config';
import {
  FleetGenerator,
  FleetSimulator,
  HttpEventSink,
  KafkaEventSink,
  fleetEnvShape,
  parseSimulateArgs,
  type EventSink,
} from '@streammetrics/fleet';

async function main(): Promise<number> {
  const env = loadConfig(fleetEnvShape);
  let args;
  try {
    args = parseSimulateArgs(process.argv.slice(2), env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const sink: EventSink =
    args.target === 'kafka'
      ? new KafkaEventSink({
          brokers: args.brokers,
          security: kafkaSecurity(env),
          topic: `${args.topicPrefix}${EVENTS_TOPIC}`,
          compression: compressionOf(env.KAFKA_COMPRESSION),
        })
      : new HttpEventSink({ gatewayUrl: args.gatewayUrl, apiKey: args.apiKey as string });
  const generator = new FleetGenerator({
    services: args.services,
    seed: args.seed,
    lateFraction: args.late,
    outOfOrderFraction: args.outOfOrder,
    graceMs: args.graceMs,
  });
  const abort = new AbortController();
  const stop = (signal: string) => {
    if (abort.signal.aborted) return;
    process.stdout.write(`[fleet] ${signal}: finishing the batch in flight\n`);
    abort.abort();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  if (args.target === 'kafka') {
    // Idempotent: creates the events topic (6 partitions) if a fresh prefix has none yet.
    const topic = `${args.topicPrefix}${EVENTS_TOPIC}`;
    const kafka = createKafka({
      brokers: args.brokers,
      clientId: 'fleet-simulator-admin',
      security: kafkaSecurity(env),
    });
    await provisionTopics(
      kafka,
      topicSpecs(args.topicPrefix).filter((t) => t.topic === topic),
      env.KAFKA_REPLICATION_FACTOR,
    );
  }
  await sink.connect();
  process.stdout.write(
    `[fleet] ${args.services} services, seed ${args.seed}, ${args.startTime !== undefined ? `backfill from ${new Date(args.startTime).toISOString()} at` : 'live at'} ${args.rate} ev/s -> ${sink.description}\n`,
  );
  try {
    const stats = await new FleetSimulator(generator, sink).run(
      {
        rate: args.rate,
        durationMs: args.durationMs,
        count: args.count,
        startTime: args.startTime,
        batchSize: args.batchSize,
        progressIntervalMs: args.progressIntervalMs,
      },
      abort.signal,
    );
    return stats.errors > 0 ? 1 : 0;
  } finally {
    await sink.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(
      `[fleet] ${err instanceof ConfigError ? err.message : (err.stack ?? err.message)}\n`,
    );
    process.exit(1);
  },
);
