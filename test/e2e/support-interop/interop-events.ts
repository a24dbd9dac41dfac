import { Partitioners } from 'kafkajs';
import { seededRandom, type MetricEvent } from '@streammetrics/contracts';
import type { GeneratedRecord } from '../support-processor/event-generator';
import { FLUSH_METRIC } from '../support-processor/flush-markers';

const METRICS = ['api.request.duration', 'db.query.duration', 'jvm.gc.pause'];
const ENDPOINTS = ['/api/v1/orders', '/api/v1/payments', '/api/v1/search'];
const STATUS = ['200', '200', '500'];

const stockPartitioner = Partitioners.DefaultPartitioner();

/**
 * The partition the Java client's default partitioner picks for a string key: murmur2 of the
 * key's UTF-8 bytes, made positive, modulo the partition count. kafkajs' DefaultPartitioner is the
 * same function, which is what lets the oracle know each record's partition before it is sent.
 */
export function javaPartition(key: string, partitions: number): number {
  return stockPartitioner({
    topic: 'any',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    })),
    message: { key, value: null },
  });
}

/**
 * Events of a few services over `spanMs` of event time from `startTime`, in timestamp order, so
 * every partition's stream time only grows and no record is late. Values are multiples of 1/4 so
 * sums are exact in any order of addition.
 */
export function interopEvents(o: {
  seed: number;
  services: readonly string[];
  startTime: number;
  spanMs: number;
  count: number;
}): MetricEvent[] {
  const rnd = seededRandom(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: MetricEvent[] = [];
  for (let i = 0; i < o.count; i++) {
    out.push({
      eventId: `interop-${o.seed}-${i}`,
      timestamp: o.startTime + Math.floor((i * o.spanMs) / o.count),
      serviceId: pick(o.services),
      metricName: pick(METRICS),
      value: Math.round(Math.exp(2 + rnd() * 4) * 4) / 4,
      tags: rnd() < 0.2 ? {} : { endpoint: pick(ENDPOINTS), status: pick(STATUS) },
    });
  }
  return out;
}

/**
 * One event on every partition 20 minutes after `latest` (past the largest window plus grace), so
 * every window of the stream closes. Each is keyed by a service name chosen to land on its
 * partition under the Java client's partitioner.
 */
export function flushEvents(latest: number, partitions: number): MetricEvent[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions; i++) {
    const serviceId = `interop-flush-${i}`;
    const p = javaPartition(serviceId, partitions);
    if (!byPartition.has(p)) byPartition.set(p, serviceId);
  }
  return [...byPartition]
    .sort(([a], [b]) => a - b)
    .map(([partition, serviceId]) => ({
      eventId: `flush-${partition}`,
      timestamp: latest + 20 * 60_000 + partition,
      serviceId,
      metricName: FLUSH_METRIC,
      value: 0,
      tags: {},
    }));
}

/** An event as the oracle sees it: the exact bytes the Java program will send, on its partition. */
export function asRecord(event: MetricEvent, value: Buffer, partitions: number): GeneratedRecord {
  return {
    partition: javaPartition(event.serviceId, partitions),
    key: event.serviceId,
    kind: 'valid',
    value,
    event,
  };
}

/** Confluent wire format, as the Java program writes it: magic byte 0, big-endian schema id, JSON. */
export function confluentFrame(schemaId: number, json: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(0, 0);
  head.writeInt32BE(schemaId, 1);
  return Buffer.concat([head, json]);
}
