import type { LoadtestSummary } from '../../scripts/loadtest/loadtest.stats';
import type { BenchKafka } from '../harness/bench.kafka';
import type { appDeltas } from './app.metrics';
import type { E2eArgs } from './e2e.args';
import type { ChannelStats, LiveClient, ProbeRouter } from './observers';
import type { Platform } from './platform';

export interface HopStats {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** What every phase of one run shares: the platform, the observers, the floor sampler. */
export interface PhaseContext {
  args: E2eArgs;
  runId: string;
  prefix: string;
  processorGroup: string;
  bk: BenchKafka;
  platform: Platform;
  router: ProbeRouter;
  live: LiveClient;
  channel: ChannelStats;
  floor: { record: (on: boolean) => void };
  log: (m: string) => void;
}

export interface PhaseResult {
  rate: number;
  sustained: boolean;
  /** Why the rate was not sustained (empty when it was). */
  problems: string[];
  seconds: number;
  load: LoadtestSummary;
  probes: { sampled: number; reached: number; undecidable: number; slipped: number; withEveryHop: number };
  /** POST sent → first WebSocket update that includes the probe. */
  latency: HopStats;
  /**
   * The four hops; `emit` is also split at the record's `emittedAt` into the wait in the processor
   * (the emit throttle and the work before it) and commit + fetch until a read_committed reader has it.
   */
  hops: {
    ack: HopStats;
    emit: HopStats;
    emitWait: HopStats;
    emitVisible: HopStats;
    sink: HopStats;
    ws: HopStats;
  };
  /** The processor's and the Redis sink's own metrics over the measured seconds. */
  apps?: ReturnType<typeof appDeltas>;
  /** Time between consecutive interim records of one probe window (the processor's emit cadence). */
  emitGapMs: HopStats;
  lag: { end: { processor: number; sink: number }; max: { processor: number; sink: number } };
  /** Seconds after the load ended until the processor's and the sink's lags were 0; undefined: not within the drain. */
  caughtUpSec?: number;
  aggregatesPerSec: number;
  channelMessagesPerSec: number;
  wsCoalesced: number;
  cores: Record<string, number>;
  /** CPU cores the load generator and the benchmark process used while measuring. */
  harnessCores: { loadtest: number; bench: number };
  peakRssMb: Record<string, number>;
  loadavg: { before: number[]; after: number[] };
  /** /proc/pressure/cpu "some avg60" at the end of the phase, percent. */
  cpuPressureAvg60?: number;
}
