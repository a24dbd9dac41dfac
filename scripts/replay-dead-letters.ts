/**
 * `npm run replay -- [--reason LATE_EVENT,SCHEMA_VIOLATION] [--from ISO] [--to ISO] [--dry-run]`:
 * re-publishes selected dead letters to metrics-events (e.g. after fixing a producer's schema).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, infraShape, loadConfig } from '@streammetrics/config';
import { DEAD_LETTER_TOPIC, EVENTS_TOPIC, isDeadLetterReason } from '@streammetrics/contracts';
import { compressionOf, createKafka, kafkaSecurity } from '@streammetrics/kafka';
import { replayDeadLetters } from '@streammetrics/processor';

function time(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new Error(`--${flag}: not a date: ${v}`);
  return t;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reason: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const reasons = values.reason ? values.reason.split(',').map((r) => r.trim()) : [];
  const bad = reasons.filter((r) => !isDeadLetterReason(r));
  if (bad.length > 0) throw new Error(`--reason: unknown reason(s) ${bad.join(', ')}`);
  const c = loadConfig({ ...infraShape, TOPIC_PREFIX: z.string().default('') });
  const kafka = createKafka({ brokers: c.KAFKA_BROKERS, clientId: 'dlq-replay', security: kafkaSecurity(c) });
  const r = await replayDeadLetters(kafka, {
    deadLetterTopic: `${c.TOPIC_PREFIX}${DEAD_LETTER_TOPIC}`,
    targetTopic: `${c.TOPIC_PREFIX}${EVENTS_TOPIC}`,
    reasons,
    from: time('from', values.from),
    to: time('to', values.to),
    dryRun: values['dry-run'] ?? false,
    compression: compressionOf(c.KAFKA_COMPRESSION),
  });
  process.stdout.write(
    `[replay] scanned ${r.scanned}, ${values['dry-run'] ? 'would replay' : 'replayed'} ${r.replayed} ${JSON.stringify(r.byReason)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`[replay] ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
});
