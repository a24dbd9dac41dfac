import type { Kafka } from 'kafkajs';
import { WINDOW_SPECS, type AggregateRecord } from '@streammetrics/contracts';
import { readTopics, type ReadRecord } from '@streammetrics/testing';
import { FLUSH_METRIC } from './flush-markers';
import { aggregateKey, type OracleResult } from './window-oracle';

export interface ProcessorOutput {
  /** The final of each window by `aggregateKey(...)`, flush markers left out. */
  finals: Map<string, AggregateRecord>;
  deadLetters: ReadRecord[];
}

/** The committed window finals and dead letters of a processor run under `prefix`. */
export async function readOutputs(
  kafka: Kafka,
  prefix: string,
  expectedFinals: number,
): Promise<ProcessorOutput> {
  const deadLetterTopic = `${prefix}metrics-dead-letter`;
  const out = await readTopics(kafka, [...WINDOW_SPECS.map((w) => `${prefix}${w.topic}`), deadLetterTopic], {
    readCommitted: true,
    timeoutMs: 60_000,
    settleMs: 2_000,
    done: (rs) => rs.filter((r) => r.headers.emit === 'final').length >= expectedFinals,
  });
  const finals = new Map<string, AggregateRecord>();
  for (const r of out) {
    if (r.headers.emit !== 'final') continue;
    const a = JSON.parse(r.value!.toString()) as AggregateRecord;
    if (a.metricName === FLUSH_METRIC) continue;
    finals.set(aggregateKey(a), a);
  }
  return { finals, deadLetters: out.filter((r) => r.topic === deadLetterTopic) };
}

/** How many finals there are and the first windows whose exact statistics differ from the oracle's. */
export function finalsAgainst(
  expected: OracleResult,
  finals: Map<string, AggregateRecord>,
): { windows: number; wrong: string[] } {
  const wrong = [...expected.windows].filter(([k, w]) => {
    const a = finals.get(k);
    return !a || a.count !== w.count || a.sum !== w.sum || a.min !== w.min || a.max !== w.max;
  });
  return { windows: finals.size, wrong: wrong.slice(0, 3).map(([k]) => k) };
}
