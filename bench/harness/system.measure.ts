import { readFinals, type BenchKafka } from './bench.kafka';
import { checkFinals, type EqualWorkReport, type InterimCount } from './equal-work';
import { measureLatency, type LatencyPlan } from './latency';
import type { WindowTotals } from './reference';
import type { Row } from './report';
import { spreadOf } from './spread';
import { outputTopics, type StreamSystem, type SystemRun } from './systems';
import { measureThroughput, type SteadyStatePlan } from './throughput';

/** How each system is measured in one harness run. */
export interface MeasurePlan {
  /** Throughput (and latency) runs per system; the table shows their median and range. */
  reps: number;
  /** A throughput run still going after this is stopped and reported as capped. */
  capMs: number;
  steady: SteadyStatePlan;
  latency: LatencyPlan;
  /**
   * A latency run in which more than this share of the live events got no output before the
   * drain ended fell behind the offered rate: its figures are not latencies, it is saturated.
   */
  maxUnmatchedShare: number;
}

export interface InputUnderTest {
  topic: string;
  records: number;
  reference: Map<string, WindowTotals>;
}

export interface SystemMeasurement {
  row: Row;
  equalWork: EqualWorkReport[];
  errors: string[];
}

/**
 * `plan.reps` throughput runs of one system over the same input (a fresh group each, every run's
 * finals checked against the exact computation on its own), then, only if its median rate sustains
 * the latency plan's rate, `plan.reps` latency runs; otherwise its latency is "saturated". A run
 * that fails or hits the cap ends the system's runs: its row says so and it is left out of ratios.
 */
export async function measureSystem(
  bk: BenchKafka,
  system: StreamSystem,
  base: Omit<SystemRun, 'groupId'>,
  input: InputUnderTest,
  plan: MeasurePlan,
  log: (line: string) => void,
): Promise<SystemMeasurement> {
  const row: Row = { id: system.id, label: system.label, status: 'ok', runs: 0 };
  const equalWork: EqualWorkReport[] = [];
  const errors: string[] = [];
  const note = (why: string) => (row.note = row.note ? `${row.note}; ${why}` : why);
  const rates: number[] = [];
  const windows: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  const perEvent: number[] = [];
  const topics = outputTopics(system.outputPrefix(base));
  for (let rep = 1; rep <= plan.reps; rep++) {
    const run: SystemRun = { ...base, groupId: `${base.prefix}${system.id}-tp${rep}` };
    if (rep > 1) await system.freshState?.(bk, run);
    const since = await bk.topicEnds(topics);
    const tp = await measureThroughput(
      bk,
      system,
      run,
      input.topic,
      input.records,
      plan.capMs,
      plan.steady,
      log,
    );
    log(
      `  run ${rep}/${plan.reps}: ${Math.round(tp.eventsPerSecond)} ev/s over ${tp.seconds.toFixed(1)} s ` +
        `(${tp.window.fromS.toFixed(1)}–${tp.window.toS.toFixed(1)} s after start${tp.window.short ? ', short' : ''})${tp.note ? ` (${tp.note})` : ''}`,
    );
    row.runs = rep;
    if (tp.error) {
      row.status = 'failed';
      errors.push(`${system.label}: ${tp.error}`);
      break;
    }
    if (!tp.completed) {
      // Slowness is not an error: reported, no ratio, no equal-work check, no further runs.
      row.status = 'capped';
      note(tp.note ?? 'did not finish');
      rates.push(tp.eventsPerSecond);
      break;
    }
    rates.push(tp.eventsPerSecond);
    windows.push(tp.seconds);
    if (tp.window.short) row.windowShort = true;
    cpu.push(tp.cpuSeconds);
    rss.push(tp.peakRssMb);
    perEvent.push((tp.cpuSeconds * 1e6) / input.records);
    const out = await readFinals(bk, topics, since);
    const interim = { updates: out.updates, inputEvents: input.records };
    const check = system.checkFinals
      ? withInterim(
          await system.checkFinals({
            bk,
            inputTopic: input.topic,
            graceMs: base.graceMs,
            finals: out.finals,
            undecodable: out.undecodable,
            reference: input.reference,
          }),
          interim,
        )
      : checkFinals(system.id, out.finals, out.undecodable, input.reference, interim);
    equalWork.push({ ...check, run: rep });
    log(
      `  equal work: ${check.matched}/${check.expectedWindows} windows exact; wrong ${check.wrong.length}, missing ${check.missing.length}, duplicated ${check.duplicated.length}, unexpected ${check.unexpected}; ${out.updates} interim updates (${(check.updatesPerEvent ?? 0).toFixed(3)} per input event)${check.note ? `; ${check.note}` : ''}`,
    );
    for (const line of [...check.wrong, ...check.missing, ...check.duplicated].slice(0, 5))
      log(`    ${line}`);
    if (check.note && rep === 1) note(check.note);
    if (!check.ok && row.status === 'ok') {
      row.status = 'mismatch';
      const first = [...check.wrong, ...check.missing, ...check.duplicated][0];
      note(
        out.updates === 0
          ? `equal work: no interim updates at all (run ${rep})`
          : `equal work: ${check.expectedWindows - check.matched} of ${check.expectedWindows} windows differ in run ${rep}${first ? ` (${first.slice(0, 160)})` : ''}`,
      );
    }
  }
  row.rate = spreadOf(rates);
  row.eventsPerSecond = row.rate?.median;
  row.windowSeconds = spreadOf(windows);
  row.cpuSeconds = spreadOf(cpu)?.median;
  row.peakRssMb = spreadOf(rss)?.median;
  row.cpuMicrosPerEvent = spreadOf(perEvent)?.median;
  row.updatesPerEvent = spreadOf(equalWork.map((e) => e.updatesPerEvent ?? 0))?.median;
  if (row.status === 'failed' || row.status === 'capped') return { row, equalWork, errors };

  const sustained = row.rate?.median ?? 0;
  if (sustained < plan.latency.rate) {
    row.latency = 'saturated';
    note(
      `latency not measured: sustains ${Math.round(sustained)} ev/s, below the ${plan.latency.rate} ev/s offered`,
    );
    return { row, equalWork, errors };
  }
  const p50: number[] = [];
  const p99: number[] = [];
  for (let rep = 1; rep <= plan.reps; rep++) {
    const lat = await measureLatency(
      bk,
      system,
      {
        ...base,
        prefix: `${base.prefix}lat${rep}-${system.id}-`,
        groupId: `${base.prefix}${system.id}-lat${rep}`,
      },
      plan.latency,
      log,
    );
    const share = lat.unmatched / Math.max(1, lat.unmatched + lat.samples);
    log(
      `  latency run ${rep}/${plan.reps} at ${plan.latency.rate} ev/s: p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms (${lat.samples} samples, ${lat.unmatched} unmatched)`,
    );
    if (lat.error) {
      errors.push(`${system.label} latency: ${lat.error}`);
      row.latency = 'failed';
      return { row, equalWork, errors };
    }
    if (share > plan.maxUnmatchedShare) {
      // Not an error: it fell behind the offered rate, so what arrived says nothing about latency.
      row.latency = 'saturated';
      note(
        `latency run ${rep}: ${(share * 100).toFixed(0)}% of live events had no output within the drain (saturated at ${plan.latency.rate} ev/s)`,
      );
      return { row, equalWork, errors };
    }
    p50.push(lat.p50Ms);
    p99.push(lat.p99Ms);
  }
  row.latency = 'ok';
  row.latencyP50 = spreadOf(p50);
  row.latencyP99 = spreadOf(p99);
  return { row, equalWork, errors };
}

/** A system's own equal-work check, held to the same interim-update rule as checkFinals. */
function withInterim(check: EqualWorkReport, interim: InterimCount): EqualWorkReport {
  return {
    ...check,
    updates: interim.updates,
    updatesPerEvent: interim.updates / Math.max(1, interim.inputEvents),
    ok: check.ok && interim.updates > 0,
  };
}
