/**
 * Creates the design's topics on a broker nobody provisioned (docker/compose.yml's `init` service).
 * In Kubernetes the Strimzi KafkaTopic resources in k8s/kafka/topics.yaml do this instead.
 * Idempotent: existing topics are left as they are.
 */
import { z } from 'zod';
import { infraShape, kafkaSecurityShape, loadConfig } from '@streammetrics/config';
import { topicSpecs } from '@streammetrics/contracts';
import { createKafka, kafkaSecurity, provisionTopics } from '@streammetrics/kafka';

async function main(): Promise<void> {
  const cfg = loadConfig({
    KAFKA_BROKERS: infraShape.KAFKA_BROKERS,
    KAFKA_REPLICATION_FACTOR: infraShape.KAFKA_REPLICATION_FACTOR,
    ...kafkaSecurityShape,
    TOPIC_PREFIX: z.string().default(''),
  });
  const kafka = createKafka({
    brokers: cfg.KAFKA_BROKERS,
    clientId: 'streammetrics-provisioner',
    security: kafkaSecurity(cfg),
  });
  const r = await provisionTopics(kafka, topicSpecs(cfg.TOPIC_PREFIX), cfg.KAFKA_REPLICATION_FACTOR);
  process.stdout.write(
    `topics: created [${r.created.join(', ')}], already there [${r.existing.join(', ')}]\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`provision-topics: ${err.message}\n`);
  process.exit(1);
});
