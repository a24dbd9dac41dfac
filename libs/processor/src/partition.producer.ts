import { randomUUID } from 'node:crypto';
import { BARRIER_KEY } from './changelog.restorer';
import type { ProducerFactory, TransactionalProducer, TransactionPort } from './eos.ports';
import { commitTransaction } from './partition.transaction';

/**
 * The lifecycle of one input partition's transactional producer: open (which fences), begin
 * transactions, close. Reopened after every failed transaction, since a failed producer may be
 * fenced or in an abortable state kafkajs does not leave cleanly.
 */
export class PartitionProducer {
  private producer: TransactionalProducer | undefined;

  constructor(
    private readonly create: ProducerFactory,
    readonly transactionalId: string,
    private readonly changelogTopic: string,
    private readonly partition: number,
  ) {}

  /**
   * Creates the producer and commits a barrier record to this partition's changelog. Initialising
   * the transactional id fences any zombie owner and aborts its open transaction, so after this
   * the committed offset and the changelog no longer move under us. Returns the barrier.
   */
  async open(): Promise<string> {
    await this.close();
    const producer = this.create(this.transactionalId);
    await producer.connect();
    this.producer = producer;
    const barrier = randomUUID();
    await commitTransaction(await producer.transaction(), {
      messages: [
        {
          topic: this.changelogTopic,
          messages: [{ key: BARRIER_KEY, value: barrier, partition: this.partition }],
        },
      ],
    });
    return barrier;
  }

  begin(): Promise<TransactionPort> {
    if (!this.producer) throw new Error(`producer ${this.transactionalId} is not open`);
    return this.producer.transaction();
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.disconnect().catch(() => undefined);
  }
}
