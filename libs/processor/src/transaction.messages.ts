import type { Message, TopicMessages } from 'kafkajs';
import { encodeAggregate, EMIT_HEADER } from '@streammetrics/contracts';
import type { CollectResult } from '@streammetrics/windowing';
import type { ProcessorTopics } from './processor.options';

/**
 * What one partition's transaction writes, grouped by topic: the window outputs, the dead letters
 * and the changelog changes. Order within a topic is kept, and each changelog record goes to the
 * partition of the input partition it belongs to, because restore reads changelog partition p for
 * input partition p.
 */
export function transactionMessages(
  collected: CollectResult,
  deadLetters: readonly Message[],
  topics: ProcessorTopics,
  partition: number,
): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  const push = (topic: string, m: Message) => {
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(m);
  };
  for (const o of collected.outputs) {
    push(`${topics.prefix}${o.topic}`, {
      key: o.key,
      value: encodeAggregate(o.record),
      headers: { [EMIT_HEADER]: o.emit },
    });
  }
  for (const d of deadLetters) push(topics.deadLetter, d);
  for (const e of collected.changelog) {
    push(topics.changelog, {
      key: e.key,
      value: e.value === null ? null : Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength),
      partition,
    });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** An upper estimate of a message's bytes in a produce request (strings as UTF-16, headers flat). */
export function sizeOf(m: Message): number {
  const len = (v: Message['value'] | Message['key']) =>
    v === null || v === undefined ? 0 : typeof v === 'string' ? v.length * 2 : v.length;
  return len(m.key) + len(m.value) + 64;
}

/**
 * Splits the messages into produce calls of at most `maxBytes` each (a single larger message goes
 * alone), keeping each topic's order: the broker refuses a batch over its size limit, and one
 * transaction may hold many produce calls.
 */
export function* chunks(
  topicMessages: readonly TopicMessages[],
  maxBytes: number,
): Generator<TopicMessages[]> {
  let current: TopicMessages[] = [];
  let bytes = 0;
  for (const tm of topicMessages) {
    let part: Message[] = [];
    for (const m of tm.messages) {
      const s = sizeOf(m);
      if (bytes + s > maxBytes && (part.length > 0 || current.length > 0)) {
        if (part.length > 0) current.push({ topic: tm.topic, messages: part });
        yield current;
        current = [];
        part = [];
        bytes = 0;
      }
      part.push(m);
      bytes += s;
    }
    if (part.length > 0) current.push({ topic: tm.topic, messages: part });
  }
  if (current.length > 0) yield current;
}
