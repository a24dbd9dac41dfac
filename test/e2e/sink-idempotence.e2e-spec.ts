import {
  DEAD_LETTER_TOPIC,
  DLQ_HEADERS,
  DLQ_RECENT_KEY,
  type AggregateRecord,
  type WindowId,
} from '@streammetrics/contracts';
import { makeAggregate, seededValues, waitFor } from '../../libs/sink/src/testing';
import { readTopics, testKafka, uniqueName } from '@streammetrics/testing';
import {
  expectedWindows,
  provisionPrefix,
  sendAggregates,
  snapshot,
  startSink,
  stores,
  transactionalProducer,
  windowIdentity,
} from './support-sink/sink-harness';

const MINUTE = 60_000;

/** Versions of windows in a deliberately bad order: updates after finals, duplicates, all window sizes. */
function workload(services: string[], t0: number): AggregateRecord[] {
  const out: AggregateRecord[] = [];
  let seed = 1;
  const windows: { id: WindowId; starts: number[] }[] = [
    { id: '1m', starts: Array.from({ length: 8 }, (_, i) => t0 + i * MINUTE) },
    { id: '1m-hop10s', starts: Array.from({ length: 8 }, (_, i) => t0 + i * 10_000) },
    { id: '5m', starts: [t0, t0 + 5 * MINUTE] },
    { id: '15m', starts: [t0] },
  ];
  for (const serviceId of services) {
    for (const metricName of ['api.request.duration', 'db.query.time']) {
      for (const tags of [{}, { endpoint: '/api/v1/payments', method: 'POST' }] as Record<string, string>[]) {
        for (const w of windows) {
          for (const start of w.starts) {
            const values = seededValues(seed++, 40);
            const v = (n: number, final: boolean, st: number) =>
              makeAggregate({
                serviceId,
                metricName,
                tags,
                window: w.id,
                start,
                values: values.slice(0, n),
                final,
                streamTime: st,
              });
            const u1 = v(10, false, start + 5_000);
            const u2 = v(25, false, start + 15_000);
            const fin = v(40, true, start + 70_000);
            // final first, then a stale update, then the final again, then the first update
            out.push(u2, fin, u1, fin, u2);
          }
        }
      }
    }
  }
  return out;
}

describe('aggregate-sink: replaying the topics leaves both stores the same', () => {
  it('writes the newest version of every window once, and a replay from the beginning changes nothing', async () => {
    const prefix = `${uniqueName('sinkidem')}-`;
    await provisionPrefix(prefix);
    const services = ['a', 'b', 'c'].map((s) => `${prefix}svc-${s}`);
    const t0 = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE;
    const records = workload(services, t0);
    const tooLong = makeAggregate({ serviceId: `${prefix}${'x'.repeat(220)}`, start: t0, values: [1, 2, 3] });
    const producer = await transactionalProducer();
    // An aborted transaction carries "newer" versions; read_committed consumers must never see them.
    const aborted = records
      .slice(0, 20)
      .map((r) => ({ ...r, final: true, streamTime: r.streamTime + 1e6, count: -1 }));
    await sendAggregates(producer, prefix, aborted, { abort: true });
    for (let i = 0; i < records.length; i += 200)
      await sendAggregates(producer, prefix, records.slice(i, i + 200));
    await sendAggregates(producer, prefix, [
      { raw: Buffer.from('{"not":"an aggregate"'), window: '1m', key: services[0]! },
      tooLong,
    ]);
    await producer.disconnect();
    const total = records.length + 2;

    const expected = expectedWindows(records);
    const series = [
      ...new Map(
        records.map((r) => [`${r.serviceId}|${r.metricName}|${JSON.stringify(r.tags)}`, r]),
      ).values(),
    ];
    const { pool, redis } = stores();
    try {
      const first = startSink(prefix);
      const firstSink = await first.started;
      await waitFor(
        () => Promise.resolve(first.counter.counts.redis >= total && first.counter.counts.postgres >= total),
        {
          timeoutMs: 90_000,
          what: 'the first run to consume every record',
        },
      );
      const dlq = await readTopics(testKafka(), [`${prefix}${DEAD_LETTER_TOPIC}`], {
        done: (r) => r.length >= 2,
        timeoutMs: 20_000,
      });
      await waitFor(
        async () => (await redis.lrange(DLQ_RECENT_KEY, 0, -1)).filter((s) => s.includes(prefix)).length >= 2,
        { what: 'the dead-letter panel' },
      );
      await firstSink.close();

      const a = await snapshot(pool, redis, services, series);
      // Every window once, with the newest version's numbers.
      expect(a.rows).toHaveLength(expected.size);
      for (const row of a.rows) {
        const r = row as {
          service_id: string;
          metric_name: string;
          tags: Record<string, string>;
          window_size: WindowId;
          timestamp: Date;
        };
        const e = expected.get(
          windowIdentity({
            serviceId: r.service_id,
            metricName: r.metric_name,
            tags: r.tags,
            window: {
              type: r.window_size === '1m-hop10s' ? 'hopping' : 'tumbling',
              size: r.window_size === '1m-hop10s' ? '1m' : r.window_size,
              start: r.timestamp.getTime(),
              end: 0,
            },
          }),
        ) as AggregateRecord;
        expect(row).toMatchObject({
          count: String(e.count),
          sum: e.sum,
          is_final: true,
          stream_time: String(e.streamTime),
        });
        expect((row as { digest: Buffer }).digest.toString('base64')).toBe(e.digest);
      }
      // Redis: one history member per window, equal to the newest version.
      const members = Object.entries(a.redis)
        .filter(([k]) => k.startsWith('metrics:history:'))
        .flatMap(([, v]) =>
          (v as string[]).filter((_, i) => i % 2 === 0).map((m) => JSON.parse(m) as AggregateRecord),
        );
      expect(members).toHaveLength(expected.size);
      for (const m of members) expect(m).toEqual(expected.get(windowIdentity(m)));
      // Only the two records that can never be written were dead-lettered, by the PostgreSQL group.
      expect(dlq.map((d) => d.headers[DLQ_HEADERS.reason])).toEqual([
        'UNWRITABLE_AGGREGATE',
        'UNWRITABLE_AGGREGATE',
      ]);
      expect(dlq.map((d) => d.headers[DLQ_HEADERS.error]).sort()).toEqual([
        expect.stringMatching(/aggregate record|JSON/),
        expect.stringMatching(/^postgres rejected the record: value too long/),
      ]);

      // Replay everything from the beginning with new consumer groups.
      const second = startSink(prefix, { parts: ['redis', 'postgres'] });
      const secondSink = await second.started;
      await waitFor(
        () =>
          Promise.resolve(second.counter.counts.redis >= total && second.counter.counts.postgres >= total),
        {
          timeoutMs: 90_000,
          what: 'the replay to consume every record',
        },
      );
      await secondSink.close();
      const b = await snapshot(pool, redis, services, series);
      expect(b.rows).toEqual(a.rows);
      expect(b.redis).toEqual(a.redis);
    } finally {
      await pool.end();
      redis.disconnect();
    }
  });
});
