import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { EVENTS_TOPIC } from '@streammetrics/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildPeer, javaAvailable, peerClasspath, PEER_JVM, type StreamSystem } from './systems';
import { checkWatermarkFinals, droppedByStreamTime } from './watermark.equal-work';

const FLINK_DIR = join(__dirname, '..', 'peers', 'flink');
/** Printed by the peer after its first completed checkpoint (RunningSignal). */
const RUNNING_LINE = 'peer: running';

/**
 * Apache Flink 2.2 (bench/peers/flink): the job as a DataStream program on a local MiniCluster,
 * window assigners with a t-digest AggregateFunction, interim updates plus finals, EXACTLY_ONCE
 * checkpoints at the commit interval into a transactional KafkaSink. Its consumer group has no
 * members (the KafkaSource assigns partitions itself), so readiness is its "running" line, and its
 * watermark is the minimum over partitions, so its finals are compared by checkWatermarkFinals.
 */
export const flink: StreamSystem = {
  id: 'flink',
  label: `Apache Flink 2.2.0 (window assigners, hashmap state, EXACTLY_ONCE checkpoints 100 ms, parallelism ${availableParallelism()})`,
  unavailable: () => javaAvailable(FLINK_DIR),
  prepare: () => buildPeer(FLINK_DIR, join('streammetrics', 'peer', 'FlinkPeer.class')),
  outputPrefix: ({ prefix }) => `${prefix}flink-`,
  start(run) {
    return spawn(
      'java',
      [
        ...PEER_JVM,
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        // The Kafka sink's committer re-registers a gauge again and again, each time with a warning.
        '-Dorg.slf4j.simpleLogger.log.org.apache.flink.metrics=error',
        '-cp',
        peerClasspath(FLINK_DIR),
        'streammetrics.peer.FlinkPeer',
      ],
      {
        cwd: FLINK_DIR,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          KAFKA_BROKERS: run.brokers.join(','),
          PEER_INPUT_TOPIC: `${run.prefix}${EVENTS_TOPIC}`,
          PEER_OUTPUT_PREFIX: `${run.prefix}flink-`,
          PEER_APPLICATION_ID: run.groupId,
          PEER_STATE_DIR: join(FLINK_DIR, 'target', 'state'),
          GRACE_MS: String(run.graceMs),
          COMMIT_INTERVAL_MS: String(run.commitIntervalMs),
          EMIT_INTERVAL_MS: String(run.emitIntervalMs),
        },
      },
    );
  },
  async waitReady(proc, capMs) {
    const deadline = Date.now() + capMs;
    while (Date.now() < deadline) {
      if (proc.output().includes(RUNNING_LINE)) return undefined;
      if (proc.exit) return `${proc.name} exited before running:\n${proc.output()}`;
      await sleep(250);
    }
    return `${proc.name} did not print "${RUNNING_LINE}" within ${capMs / 1000} s:\n${proc.output()}`;
  },
  async checkFinals({ bk, inputTopic, graceMs, finals, undecodable, reference }) {
    const dropped = await droppedByStreamTime(bk, inputTopic, graceMs);
    return checkWatermarkFinals('flink', finals, undecodable, reference, dropped);
  },
};
