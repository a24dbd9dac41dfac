import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import { decodeAggregate, type AggregateRecord, type TopicSpec } from '@streammetrics/contracts';
import { provisionTopics } from '@streammetrics/kafka';

/** The broker side of the harness: topics, offsets, group progress and reading outputs back. */
export class BenchKafka {
  private admin: Admin | undefined;

  constructor(readonly kafka: Kafka) {}

  async connect(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }

  private get a(): Admin {
    if (!this.admin) throw new Error('BenchKafka not connected');
    return this.admin;
  }

  createTopics(specs: TopicSpec[]): Promise<unknown> {
    return provisionTopics(this.kafka, specs, 1);
  }

  /**
   * Deletes a topic and creates it again, empty: what a system restores its state from, between
   * runs that must each start from nothing. Fails rather than hand back a topic that still has data.
   */
  async recreateTopic(spec: TopicSpec): Promise<void> {
    await this.a.deleteTopics({ topics: [spec.topic], timeout: 30_000 });
    // Up to 10 s: the broker may still list the topic, or refuse it as "marked for deletion".
    for (let attempt = 1; ; attempt++) {
      await sleep(250);
      try {
        if ((await this.a.listTopics()).includes(spec.topic)) throw new Error(`${spec.topic} still listed`);
        await this.createTopics([spec]);
        break;
      } catch (err) {
        if (attempt >= 40) throw err;
      }
    }
    const left = await this.endOffsetTotal(spec.topic);
    if (left !== 0) throw new Error(`topic ${spec.topic} recreated with ${left} records in it`);
  }

  /** Sum of the high watermarks of a topic. */
  async endOffsetTotal(topic: string): Promise<number> {
    const offsets = await this.a.fetchTopicOffsets(topic);
    return offsets.reduce((s, o) => s + Number(o.high), 0);
  }

  /** High watermark per `topic|partition`: where the next run's records will start. */
  async topicEnds(topics: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const topic of topics) {
      for (const o of await this.a.fetchTopicOffsets(topic))
        out.set(`${topic}|${o.partition}`, Number(o.high));
    }
    return out;
  }

  /** Sum of a group's committed offsets on a topic (partitions without a commit count as 0). */
  async committedTotal(groupId: string, topic: string): Promise<number> {
    const res = await this.a.fetchOffsets({ groupId, topics: [topic] });
    return res
      .flatMap((t) => t.partitions)
      .reduce((s, p) => s + (Number(p.offset) > 0 ? Number(p.offset) : 0), 0);
  }

  async groupState(groupId: string): Promise<{ state: string; members: number }> {
    const d = await this.a.describeGroups([groupId]);
    const g = d.groups[0];
    return { state: g?.groupId ? g.state : 'Dead', members: g?.members.length ?? 0 };
  }

  async deleteTopicsWithPrefix(prefix: string): Promise<void> {
    const topics = (await this.a.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await this.a.deleteTopics({ topics, timeout: 30_000 });
  }

  /**
   * Reads topics from the beginning with read_committed until nothing new arrives for `idleMs`
   * after the group joined (the writers have finished before this is called), or `capMs` passes.
   */
  async readAll(
    topics: string[],
    onRecord: (
      topic: string,
      partition: number,
      value: Buffer | null,
      headers: Record<string, string>,
      offset: number,
    ) => void,
    idleMs = 3000,
    capMs = 180_000,
  ): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `bench-reader-${process.pid}-${Date.now()}`,
      readUncommitted: false,
      maxBytes: 64 * 1024 * 1024,
    });
    await consumer.connect();
    let last = Date.now();
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
      last = Date.now();
    });
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = String(v);
          onRecord(batch.topic, batch.partition, m.value, headers, Number(m.offset));
        }
        last = Date.now();
      },
    });
    const started = Date.now();
    while (!(joined && Date.now() - last >= idleMs) && Date.now() - started < capMs) await sleep(200);
    await consumer.disconnect();
  }
}

/**
 * Every final aggregate record in `topics` (duplicates are the caller's to report) and the number of
 * interim updates; with `since` (topicEnds before a run), only what that run wrote.
 */
export async function readFinals(
  bk: BenchKafka,
  topics: string[],
  since?: Map<string, number>,
): Promise<{ finals: AggregateRecord[]; updates: number; undecodable: number }> {
  const finals: AggregateRecord[] = [];
  let updates = 0;
  let undecodable = 0;
  await bk.readAll(topics, (topic, partition, value, headers, offset) => {
    if (offset < (since?.get(`${topic}|${partition}`) ?? 0)) return;
    try {
      const r = decodeAggregate(value);
      if (r.final || headers.emit === 'final') finals.push(r);
      else updates++;
    } catch {
      undecodable++;
    }
  });
  return { finals, updates, undecodable };
}
