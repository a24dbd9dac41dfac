/**
 * Part 1 of bench:decode, in process: what decoding and validating one record value costs, per
 * value format a stock producer may write, for our readers, the official client and the bare
 * JSON.parse ceiling. Every reader gets the same events in its own format; the first pass of each
 * is untimed and digests every event it yields, and that digest must equal the generator's.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Type } from 'avsc';
import {
  decodeMetricEvent,
  validateMetricEvent,
  type DecodeResult,
  type MetricEvent,
} from '@streammetrics/contracts';
import {
  ccompatRequest,
  EventDecoder,
  metricEventAvroSchema,
  registerEventSchema,
  RegistrySchemaSource,
  writeConfluentFrame,
} from '@streammetrics/registry';
import { EventDigest } from './events';

export interface FormatRow {
  id: string;
  format: string;
  reader: string;
  /** Yields the same events as the generator (digest of every event compared), or only counts. */
  equalWork: 'digest' | 'count and sum';
  status: 'ok' | 'failed' | 'not available';
  bytesPerRecord?: number;
  /** Median of the timed runs. */
  nsPerRecord?: number;
  recordsPerSecond?: number;
  runsNs?: number[];
  check?: string;
  note?: string;
}

export interface FormatPlan {
  events: MetricEvent[];
  registryUrl: string | undefined;
  runs: number;
  warmups: number;
  log: (line: string) => void;
}

type Decoded = { value: number } | undefined;
interface Reader {
  id: string;
  format: string;
  reader: string;
  values: Buffer[];
  equalWork: FormatRow['equalWork'];
  sync?: (v: Buffer) => Decoded;
  async?: (v: Buffer) => Promise<Decoded>;
  note?: string;
}

/** Same subjects every run: re-registering the same schema returns the same id, so nothing piles up. */
const JSON_SUBJECT = 'bench-decode-json-value';
const AVRO_SUBJECT = 'bench-decode-avro-value';

// A full GC between timed runs, so one run does not pay for the garbage of the one before.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ok = (r: DecodeResult): Decoded => (r.ok ? r.event : undefined);

/** The same shape change our decoder makes on an Avro record: a null of an optional field is absence. */
function withoutNulls(record: unknown): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record as Record<string, unknown>)) if (v !== null) out[k] = v;
  return out;
}

function avroRecord(e: MetricEvent): Record<string, unknown> {
  // Absent optional fields are null in Avro; present ones keep their value (spread last).
  return { instanceId: null, metricType: null, unit: null, metadata: null, ...e };
}

async function readers(plan: FormatPlan): Promise<{ list: Reader[]; unavailable: string | undefined }> {
  const plain = plan.events.map((e) => Buffer.from(JSON.stringify(e)));
  const list: Reader[] = [
    {
      id: 'plain-ceiling',
      format: 'plain JSON',
      reader: 'ceiling: bare JSON.parse (no validation)',
      values: plain,
      equalWork: 'digest',
      sync: (v) => JSON.parse(v.toString('utf8')) as Decoded,
    },
    {
      id: 'plain-ours',
      format: 'plain JSON',
      reader: 'ours: decodeMetricEvent',
      values: plain,
      equalWork: 'digest',
      sync: (v) => ok(decodeMetricEvent(v)),
    },
  ];
  const url = plan.registryUrl;
  if (!url) return { list, unavailable: 'no schema registry in this stack' };

  const jsonId = (await registerEventSchema(url, JSON_SUBJECT)).id;
  const avroId = (
    await ccompatRequest<{ id: number }>(url, 'POST', `/subjects/${AVRO_SUBJECT}/versions`, {
      schemaType: 'AVRO',
      schema: JSON.stringify(metricEventAvroSchema),
    })
  ).id;
  plan.log(
    `registry: JSON schema id ${jsonId} (${JSON_SUBJECT}), Avro schema id ${avroId} (${AVRO_SUBJECT})`,
  );
  const avroType = Type.forSchema(metricEventAvroSchema as unknown as Parameters<typeof Type.forSchema>[0]);
  const framedJson = plain.map((p) => writeConfluentFrame(jsonId, p));
  const framedAvro = plan.events.map((e) => writeConfluentFrame(avroId, avroType.toBuffer(avroRecord(e))));

  const decoder = new EventDecoder(new RegistrySchemaSource(url));
  await decoder.prepare([framedJson[0] ?? null, framedAvro[0] ?? null]);
  // The registrar's Ajv options: a default (strict) Ajv refuses the schema's `format: date-time`.
  const peer = new SchemaRegistry(
    { host: url, clientId: 'bench-decode' },
    { [SchemaType.JSON]: { strict: false, validateFormats: false } },
  );
  // Its own cache warmed: the timed loop never waits for the registry.
  await peer.decode(framedJson[0]!);
  await peer.decode(framedAvro[0]!);

  list.push(
    {
      id: 'json-ours',
      format: 'Confluent JSON Schema',
      reader: 'ours: EventDecoder.decode',
      values: framedJson,
      equalWork: 'digest',
      sync: (v) => ok(decoder.decode(v)),
    },
    {
      id: 'json-peer',
      format: 'Confluent JSON Schema',
      reader: 'peer: confluent-schema-registry decode + validateMetricEvent',
      values: framedJson,
      equalWork: 'digest',
      async: async (v) => ok(validateMetricEvent(await peer.decode(v))),
      note: 'its decode already validates with its own Ajv: two schema checks per record',
    },
    {
      id: 'json-peer-only',
      format: 'Confluent JSON Schema',
      reader: 'peer: confluent-schema-registry decode alone',
      values: framedJson,
      equalWork: 'count and sum',
      async: async (v) => (await peer.decode(v)) as Decoded,
      note: 'its Ajv check, no timestamp normalisation',
    },
    {
      id: 'avro-ours',
      format: 'Confluent Avro',
      reader: 'ours: EventDecoder.decode',
      values: framedAvro,
      equalWork: 'digest',
      sync: (v) => ok(decoder.decode(v)),
    },
    {
      id: 'avro-peer',
      format: 'Confluent Avro',
      reader: 'peer: confluent-schema-registry decode + validateMetricEvent',
      values: framedAvro,
      equalWork: 'digest',
      async: async (v) => ok(validateMetricEvent(withoutNulls(await peer.decode(v)))),
      note: 'nulls of optional fields dropped before validation, as ours does',
    },
    {
      id: 'avro-peer-only',
      format: 'Confluent Avro',
      reader: 'peer: confluent-schema-registry decode alone',
      values: framedAvro,
      equalWork: 'count and sum',
      async: async (v) => (await peer.decode(v)) as Decoded,
      note: 'no validation; avsc records with nulls',
    },
  );
  return { list, unavailable: undefined };
}

interface Pass {
  ns: number;
  count: number;
  sum: number;
}

function passSync(values: Buffer[], read: (v: Buffer) => Decoded): Pass {
  let count = 0;
  let sum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < values.length; i++) {
    const e = read(values[i]!);
    if (e !== undefined) {
      count++;
      sum += e.value;
    }
  }
  return { ns: Number(process.hrtime.bigint() - t0), count, sum };
}

/** Awaited per record, as a consumer using the client library does. */
async function passAsync(values: Buffer[], read: (v: Buffer) => Promise<Decoded>): Promise<Pass> {
  let count = 0;
  let sum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < values.length; i++) {
    const e = await read(values[i]!);
    if (e !== undefined) {
      count++;
      sum += e.value;
    }
  }
  return { ns: Number(process.hrtime.bigint() - t0), count, sum };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** One pass over a reader's values; async readers are awaited per record. */
function pass(r: Reader): Pass | Promise<Pass> {
  return r.sync
    ? passSync(r.values, r.sync)
    : passAsync(r.values, r.async as (v: Buffer) => Promise<Decoded>);
}

/**
 * Per reader: the checked pass and the warm-up passes. Then the timed runs, in rounds over all
 * readers rather than one reader after another, so a burst of load on the shared machine spreads
 * over every row instead of landing on one.
 */
export async function measureFormats(plan: FormatPlan): Promise<{ rows: FormatRow[]; errors: string[] }> {
  const errors: string[] = [];
  const reference = new EventDigest();
  for (const e of plan.events) reference.add(e);
  const refHex = reference.hex();
  const { list, unavailable } = await readers(plan);
  const rows: FormatRow[] = [];
  const live: { r: Reader; row: FormatRow; problems: string[]; runs: number[]; checked: string }[] = [];
  for (const r of list) {
    plan.log(`## ${r.format} — ${r.reader}: check and warm up`);
    const row: FormatRow = {
      id: r.id,
      format: r.format,
      reader: r.reader,
      equalWork: r.equalWork,
      status: 'ok',
      bytesPerRecord: r.values.reduce((s, v) => s + v.length, 0) / r.values.length,
      note: r.note,
    };
    rows.push(row);
    try {
      // Untimed first pass: every event it yields is digested and compared with the generator's.
      const digest = new EventDigest();
      for (const v of r.values) {
        const e = r.sync ? r.sync(v) : await (r.async as (v: Buffer) => Promise<Decoded>)(v);
        if (e !== undefined) digest.add(e);
      }
      const hex = digest.hex();
      const problems: string[] = [];
      if (digest.count !== reference.count || digest.sum !== reference.sum)
        problems.push(
          `yields ${digest.count} events summing ${digest.sum}, expected ${reference.count} / ${reference.sum}`,
        );
      if (r.equalWork === 'digest' && hex !== refHex)
        problems.push('events differ from the generated ones (digest)');
      for (let w = 1; w < plan.warmups; w++) await pass(r);
      const checked =
        r.equalWork === 'digest'
          ? `same ${digest.count} events (digest)`
          : `same count and sum (${digest.count})`;
      live.push({ r, row, problems, runs: [], checked });
    } catch (err) {
      row.status = 'failed';
      row.check = 'error';
      errors.push(`${r.format} / ${r.reader}: ${(err as Error).message}`);
    }
  }
  for (let i = 0; i < plan.runs; i++) {
    plan.log(`timed round ${i + 1} of ${plan.runs}`);
    for (const l of live) {
      gc();
      const p = await pass(l.r);
      if (p.count !== reference.count || p.sum !== reference.sum)
        l.problems.push(`timed run ${i + 1} yields ${p.count} events summing ${p.sum}`);
      l.runs.push(p.ns / l.r.values.length);
    }
  }
  for (const { r, row, problems, runs, checked } of live) {
    row.runsNs = runs;
    row.nsPerRecord = median(runs);
    row.recordsPerSecond = 1e9 / row.nsPerRecord;
    row.check = problems.length === 0 ? checked : 'MISMATCH';
    if (problems.length > 0) {
      row.status = 'failed';
      errors.push(...problems.map((p) => `${r.format} / ${r.reader}: ${p}`));
    }
    plan.log(
      `${r.format} — ${r.reader}: ${Math.round(row.nsPerRecord)} ns/record (runs ${runs.map((n) => Math.round(n)).join(', ')}); ${row.check}`,
    );
  }
  if (unavailable) {
    for (const format of ['Confluent JSON Schema', 'Confluent Avro'])
      rows.push({
        id: format,
        format,
        reader: '–',
        equalWork: 'digest',
        status: 'not available',
        note: unavailable,
      });
  }
  return { rows, errors };
}

const fmt = (v: number | undefined, digits = 0) =>
  v === undefined || Number.isNaN(v)
    ? '–'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function renderFormats(rows: FormatRow[]): string {
  const by = (id: string) => rows.find((r) => r.id === id && r.status === 'ok');
  /** Our rows only: records/s as a multiple of the ceiling's (plain) or of the peer's (framed). */
  const relative = (r: FormatRow): string => {
    if (!r.id.endsWith('-ours') || !r.nsPerRecord) return '';
    const plain = r.id === 'plain-ours';
    const base = by(plain ? 'plain-ceiling' : r.id.replace(/-ours$/, '-peer'));
    if (!base?.nsPerRecord) return '';
    return `${(base.nsPerRecord / r.nsPerRecord).toFixed(2)}x ${plain ? 'the ceiling' : 'the peer'}`;
  };
  return [
    '| value format | reader | bytes/record | ns/record (median of runs) | records/s | relative | equal work | note |',
    '|---|---|---:|---:|---:|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.format} | ${r.reader} | ${fmt(r.bytesPerRecord)} | ${fmt(r.nsPerRecord)} | ${fmt(r.recordsPerSecond)} | ${relative(r)} | ${r.status === 'ok' ? r.check : r.status} | ${r.note ?? ''} |`,
    ),
  ].join('\n');
}
