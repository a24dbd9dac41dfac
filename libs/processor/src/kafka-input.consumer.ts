import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { InputConsumer, InputHandlers } from './eos.ports';
import type { ProcessorOptions } from './processor.options';

/**
 * The input port on kafkajs: one group member (autoCommit off, read_committed, every partition
 * consumed concurrently) plus an admin client for the group's committed offsets. kafkajs has no
 * revoke callback, so assignments are learned from GROUP_JOIN events.
 */
export class KafkaInputConsumer implements InputConsumer {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: ProcessorOptions,
    private readonly topic: string,
  ) {}

  async run(h: InputHandlers): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      readUncommitted: false,
      sessionTimeout: this.opts.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.opts.sessionTimeoutMs / 10)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: Math.max(10, Math.min(100, this.opts.commitIntervalMs)),
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      h.assigned(new Set(e.payload.memberAssignment[this.topic] ?? []));
    });
    consumer.on(consumer.events.CRASH, (e) => h.crashed(e.payload.error, e.payload.restart));
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => h.batch(payload.batch, payload),
    });
  }

  seek(partition: number, offset: string): void {
    this.consumer?.seek({ topic: this.topic, partition, offset });
  }

  async committedOffsets(partitions: number[]): Promise<Map<number, string>> {
    const admin = this.admin;
    if (!admin) throw new Error('admin not connected');
    const [committed] = await admin.fetchOffsets({ groupId: this.opts.groupId, topics: [this.topic] });
    const low = await admin.fetchTopicOffsets(this.topic);
    const out = new Map<number, string>();
    for (const p of partitions) {
      const c = committed?.partitions.find((x) => x.partition === p)?.offset;
      const earliest = low.find((x) => x.partition === p)?.low ?? '0';
      out.set(p, c !== undefined && c !== '-1' ? c : earliest);
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  async disconnect(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
