import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { metricEventSchema, type MetricEvent, type MetricEventInput } from './metric-event.schema';
import type { DeadLetterReason } from './dead-letter';
import type { ValidationProblem } from './validation-problem';

// Compiled once at module load: validation per record is a function call, not schema interpretation.
// Two compilations of the one schema: the hot path stops at the first error (most records are
// valid), and only a failing record is validated again collecting every problem for the answer.
const compile = (allErrors: boolean) => {
  const ajv = new Ajv({ allErrors, strict: true, allowUnionTypes: true });
  addFormats(ajv, ['date-time']);
  return ajv.compile<MetricEventInput>(metricEventSchema);
};
const isValidInput = compile(false);
const validateInput = compile(true);

/** The dead-letter reasons a record's bytes can earn on their own, before any window sees it. */
export type DecodeFailure = Extract<DeadLetterReason, 'UNDECODABLE' | 'SCHEMA_VIOLATION' | 'UNKNOWN_SCHEMA'>;
export type DecodeResult =
  { ok: true; event: MetricEvent } | { ok: false; reason: DecodeFailure; problems: ValidationProblem[] };

/** A record that cannot be read at all; `message` says why. */
export function undecodable(message: string, reason: DecodeFailure = 'UNDECODABLE'): DecodeResult {
  return { ok: false, reason, problems: [{ index: 0, field: '', message }] };
}

function toProblems(index: number, errors: ErrorObject[] | null | undefined): ValidationProblem[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.keyword === 'required'
          ? `/${String((e.params as { missingProperty: string }).missingProperty)}`
          : '';
    return { index, field: `${e.instancePath}${extra}`, message: e.message ?? e.keyword };
  });
}

/**
 * Validates one already-parsed value; on success returns it normalised (timestamp in epoch ms, tags
 * present) — in place: every caller passes a value it has just parsed and owns, and copying each
 * event showed in the gateway's and the processor's profiles.
 */
export function validateMetricEvent(value: unknown, index = 0): DecodeResult {
  if (!isValidInput(value) && !validateInput(value)) {
    // anyOf produces one error per branch plus a summary; keep the summary and the real causes.
    return {
      ok: false,
      reason: 'SCHEMA_VIOLATION',
      problems: dedupe(toProblems(index, validateInput.errors)),
    };
  }
  const input = value;
  const timestamp = typeof input.timestamp === 'number' ? input.timestamp : Date.parse(input.timestamp);
  if (!Number.isFinite(timestamp)) {
    return {
      ok: false,
      reason: 'SCHEMA_VIOLATION',
      problems: [{ index, field: '/timestamp', message: 'must be a valid date' }],
    };
  }
  const event = input as unknown as MetricEvent;
  event.timestamp = timestamp;
  event.tags ??= {};
  return { ok: true, event };
}

/** Decodes the bytes of a Kafka record value (UTF-8 JSON) and validates it. */
export function decodeMetricEvent(bytes: Buffer | null): DecodeResult {
  if (bytes === null || bytes.length === 0) return undecodable('empty record value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return undecodable(`invalid JSON: ${(err as Error).message}`);
  }
  return validateMetricEvent(parsed);
}

function dedupe(problems: ValidationProblem[]): ValidationProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.index}|${p.field}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
