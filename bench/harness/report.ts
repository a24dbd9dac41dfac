import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Row {
  id: string;
  label: string;
  /** `mismatch`: finished, but its output failed the equal-work check (so it is left out of the ratios). */
  status: 'ok' | 'not available' | 'failed' | 'skipped' | 'capped' | 'mismatch';
  eventsPerSecond?: number;
  seconds?: number;
  cpuSeconds?: number;
  peakRssMb?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
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

/** The side-by-side table, then the ratios StreamMetrics/peer and StreamMetrics/ceiling. */
export function renderTable(rows: Row[]): string {
  const lines = [
    '| system | events/s (sustained) | latency p50 ms | latency p99 ms | CPU s | CPU µs/event | peak RSS MB | status |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const perEvent =
      r.cpuSeconds !== undefined && r.eventsPerSecond && r.seconds
        ? (r.cpuSeconds * 1e6) / (r.eventsPerSecond * r.seconds)
        : undefined;
    lines.push(
      `| ${r.label} | ${fmt(r.eventsPerSecond)} | ${fmt(r.latencyP50Ms, 1)} | ${fmt(r.latencyP99Ms, 1)} | ${fmt(r.cpuSeconds, 1)} | ${fmt(perEvent, 1)} | ${fmt(r.peakRssMb)} | ${r.status}${r.note ? ` — ${r.note}` : ''} |`,
    );
  }
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
