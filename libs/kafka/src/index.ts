export * from './kafka.client';
export * from './topic.provisioner';
export * from './kafkajs.patch-check';
export * from './group.progress';
export * from './partitions.served';
export * from './cached.partitioner';
export * from './compression.codecs';
export * from './consumer.failure';
