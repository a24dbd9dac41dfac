import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { formatSpread, type Spread } from './spread';

export interface Row {
  id: string;
  label: string;
  /** `mismatch`: finished, but its output failed the equal-work check (so it is left out of the ratios). */
  status: 'ok' | 'not available' | 'failed' | 'skipped' | 'capped' | 'mismatch';
  /** The median of `rate` for a system; a ceiling's one run. */
  eventsPerSecond?: number;
  seconds?: number;
  cpuSeconds?: number;
  /** CPU seconds of the whole process per input record (start-up included). */
  cpuMicrosPerEvent?: number;
  peakRssMb?: number;
  /** Runs done; a ceiling runs once. */
  runs?: number;
  /** Sustained events/s of each run. */
  rate?: Spread;
  /** Length of the steady-state window each run's rate was taken over. */
  windowSeconds?: Spread;
  /** Some run's window was shorter than the plan's minimum (its input ran out first). */
  windowShort?: boolean;
  /** `saturated`: the system does not sustain the latency rate, so no latency is reported. */
  latency?: 'ok' | 'saturated' | 'failed';
  latencyP50?: Spread;
  latencyP99?: Spread;
  /** Interim update records per input event (median over runs), from the equal-work read. */
  updatesPerEvent?: number;
  note?: string;
}

export interface Machine {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  java: string;
}

export function machine(javaVersion: string): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = (m[1] as string).trim();
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    node: process.version,
    java: javaVersion,
  };
}

const fmt = (v: number | undefined, digits = 0) =>
  v === undefined || Number.isNaN(v)
    ? '–'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A status or note names windows by their key, whose parts are joined with `|`: a cell must not end there. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * The side-by-side table, then the ratios StreamMetrics/peer and StreamMetrics/ceiling (medians).
 * `runsLabel` says how many runs a system's figures are the median of (and that quick mode's are
 * single runs); `windowLabel` what the steady-state window was.
 */
export function renderTable(rows: Row[], runsLabel: string, windowLabel: string): string {
  const lines = [
    `| system | events/s sustained, ${runsLabel} | window s | latency p50 ms | latency p99 ms | updates / event | CPU s | CPU µs/event | peak RSS MB | status |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const perEvent =
      r.cpuMicrosPerEvent ??
      (r.cpuSeconds !== undefined && r.eventsPerSecond && r.seconds
        ? (r.cpuSeconds * 1e6) / (r.eventsPerSecond * r.seconds)
        : undefined);
    const rate = r.rate ? formatSpread(r.rate) : fmt(r.eventsPerSecond);
    const window = r.windowSeconds
      ? `${formatSpread(r.windowSeconds, 1)}${r.windowShort ? ' short' : ''}`
      : r.rate
        ? '–'
        : `${fmt(r.seconds, 1)} (whole run)`;
    const latency = (s: Spread | undefined) =>
      r.latency === 'saturated' ? 'saturated' : r.latency === 'failed' ? 'failed' : formatSpread(s, 1);
    lines.push(
      `| ${r.label} | ${rate} | ${window} | ${latency(r.latencyP50)} | ${latency(r.latencyP99)} | ${fmt(r.updatesPerEvent, 3)} | ${fmt(r.cpuSeconds, 1)} | ${fmt(perEvent, 1)} | ${fmt(r.peakRssMb)} | ${cell(`${r.status}${r.note ? ` — ${r.note}` : ''}`)} |`,
    );
  }
  lines.push('', `Steady-state window: ${windowLabel}.`);
  const by = (id: string) => rows.find((r) => r.id === id && r.status === 'ok');
  const ours = by('ours');
  const ratio = (other: Row | undefined, what: string) =>
    ours?.eventsPerSecond && other?.eventsPerSecond
      ? `| StreamMetrics / ${what} | ${(ours.eventsPerSecond / other.eventsPerSecond).toFixed(2)}x |`
      : `| StreamMetrics / ${what} | n/a (${ours ? `${other ? other.label : what} did not run or did not finish` : 'StreamMetrics did not run or did not finish'}) |`;
  lines.push(
    '',
    '| ratio (sustained events/s) | value |',
    '|---|---:|',
    ratio(by('peer'), 'Kafka Streams, tuned'),
    ratio(by('peer-naive'), 'Kafka Streams, typical code'),
    ratio(by('flink'), 'Apache Flink'),
    ratio(by('ceiling-kcat'), 'kcat (ceiling)'),
    ratio(by('ceiling-kafkajs'), 'plain kafkajs consumer (ceiling)'),
    ratio(by('ceiling-java'), 'ConsumerPerformance (ceiling)'),
  );
  return lines.join('\n');
}
