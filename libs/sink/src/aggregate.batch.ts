import type { KafkaMessage } from 'kafkajs';
import {
  aggregateJson,
  canonicalTags,
  decodeAggregateText,
  isStoredOrder,
  isNewerVersion,
  tagsHash,
  windowIdOf,
  type AggregateRecord,
  type WindowId,
} from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';

/** One decoded aggregate with the identity both stores key it by, and where it came from. */
export interface SinkRecord {
  record: AggregateRecord;
  windowId: WindowId;
  tagsHash: string;
  /** service, metric, tags hash, window, start: one row in PostgreSQL, one history member in Redis. */
  identity: string;
  /** The record's JSON in stored field order: the consumed bytes themselves when they already are. */
  stored: Buffer;
  source: SourceMessage;
}

export interface SourceMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface Undecodable {
  source: SourceMessage;
  error: string;
}

export interface DecodedBatch {
  records: SinkRecord[];
  undecodable: Undecodable[];
}

/**
 * Decodes a fetched batch. Tags are canonicalised here so every store sees one spelling of a tag
 * set. A record the processor wrote (stored field order, canonical tags) keeps its consumed text as
 * the stored form, so the hot path parses each record once and encodes nothing again. With
 * `verifyDigest` the digest is decoded too: PostgreSQL keeps it for the rollups, and a
 * digest that cannot be read back would break the rollup of its hour forever.
 */
export function decodeBatch(
  topic: string,
  partition: number,
  messages: readonly KafkaMessage[],
  opts: { verifyDigest: boolean },
): DecodedBatch {
  const records: SinkRecord[] = [];
  const undecodable: Undecodable[] = [];
  for (const message of messages) {
    const source = { topic, partition, message };
    try {
      if (!message.value || message.value.length === 0) throw new Error('aggregate record: empty value');
      const text = message.value.toString('utf8');
      const record = decodeAggregateText(text);
      record.tags = canonicalTags(record.tags);
      checkTimes(record);
      if (opts.verifyDigest) TDigest.fromBase64(record.digest);
      const windowId = windowIdOf(record.window);
      const hash = tagsHash(record.tags);
      records.push({
        record,
        windowId,
        tagsHash: hash,
        identity: `${record.serviceId}\u0000${record.metricName}\u0000${hash}\u0000${windowId}\u0000${record.window.start}`,
        stored: isStoredOrder(text) ? message.value : Buffer.from(aggregateJson(record)),
        source,
      });
    } catch (err) {
      undecodable.push({ source, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { records, undecodable };
}

/**
 * Keeps one version per window identity, the one isNewerVersion prefers (a final beats updates,
 * then the newer streamTime). PostgreSQL refuses two rows for one key in a single
 * INSERT … ON CONFLICT, and writing the losers to Redis would only be undone by the winner.
 * On a tie (the same version twice) the later offset is kept, so dead-lettering stays per offset.
 */
export function newestPerWindow(records: readonly SinkRecord[]): SinkRecord[] {
  const byIdentity = new Map<string, SinkRecord>();
  for (const r of records) {
    const current = byIdentity.get(r.identity);
    if (!current || isNewerVersion(r.record, current.record) || !isNewerVersion(current.record, r.record)) {
      byIdentity.set(r.identity, r);
    }
  }
  return [...byIdentity.values()];
}

/** Dates both stores turn into timestamps: JavaScript and PostgreSQL must be able to represent them. */
function checkTimes(r: AggregateRecord): void {
  for (const [name, ms] of [
    ['window.start', r.window.start],
    ['window.end', r.window.end],
    ['streamTime', r.streamTime],
    ['emittedAt', r.emittedAt],
  ] as const) {
    if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIME_MS) {
      throw new Error(`aggregate record: ${name} is not a time in epoch ms (${ms})`);
    }
  }
}

/** 9999-12-31: beyond it neither Date#toISOString nor a PostgreSQL timestamp literal behaves. */
const MAX_TIME_MS = 253_402_300_799_999;
