import type { Message } from 'kafkajs';
import type { DeadLetterReason } from '@streammetrics/contracts';
import type { PartitionWindows } from '@streammetrics/windowing';
import { deadLetterMessage } from './dead-letter.message';
import type { BatchDecoder, InputRecord } from './eos.ports';
import type { ProcessorMetrics } from './processor.metrics';

export interface IngestTarget {
  topic: string;
  partition: number;
  windows: PartitionWindows;
  decoder: BatchDecoder;
  metrics: ProcessorMetrics;
  /** Where the batch's dead letters go; they are written in the next transaction. */
  deadLetters: Message[];
}

/**
 * Decodes the records and folds them into the window state; an undecodable, invalid or late record
 * becomes a dead letter with its bytes unchanged, so nothing acknowledged is lost. Records before
 * `from` are already reflected in the state (a batch fetched before a seek) and skipped. Returns the
 * last offset ingested and how many records that was.
 */
export function ingestRecords(
  t: IngestTarget,
  records: readonly InputRecord[],
  from: bigint,
  wallNow: number,
): { last: bigint | undefined; count: number } {
  let last: bigint | undefined;
  let count = 0;
  const deadLetter = (m: InputRecord, reason: DeadLetterReason, error: string) => {
    t.deadLetters.push(
      deadLetterMessage({ topic: t.topic, partition: t.partition, ...m }, reason, error, wallNow),
    );
    t.metrics.deadLetters.inc({ reason });
  };
  for (const m of records) {
    const offset = BigInt(m.offset);
    if (offset < from) continue;
    last = offset;
    count++;
    const decoded = t.decoder.decode(m.value);
    if (!decoded.ok) {
      deadLetter(m, decoded.reason, decoded.problems.map((p) => `${p.field} ${p.message}`).join('; '));
      continue;
    }
    const outcome = t.windows.ingest(decoded.event, wallNow);
    if (outcome.kind === 'late') {
      deadLetter(m, 'LATE_EVENT', `older than every open window (stream time ${t.windows.streamTime})`);
    } else {
      for (const w of outcome.missedWindows) t.metrics.lateWindowMisses.inc({ window: w });
    }
  }
  return { last, count };
}
