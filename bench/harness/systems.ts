import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  CHANGELOG_TOPIC,
  EVENTS_TOPIC,
  WINDOW_SPECS,
  topicSpecs,
  type AggregateRecord,
} from '@streammetrics/contracts';
import type { BenchKafka } from './bench.kafka';
import type { EqualWorkReport } from './equal-work';
import { flink } from './flink.system';
import type { WindowTotals } from './reference';
import type { RunningProcess } from './run.process';

export const ROOT = join(__dirname, '..', '..');
const PEER_DIR = join(ROOT, 'bench', 'peers', 'kafka-streams');
const PEER_TARGET = join(PEER_DIR, 'target');
/** Java sources every JVM peer compiles in (event parser, window set, aggregate JSON). */
const COMMON_JAVA = join(ROOT, 'bench', 'peers', 'common', 'src', 'main', 'java');

/** How one run of a stream processor is wired: where it reads, where it writes, its group. */
export interface SystemRun {
  brokers: string[];
  /** Topic prefix of the run; the input is `<prefix>metrics-events`. */
  prefix: string;
  /** Consumer group / application id, fresh per run. */
  groupId: string;
  graceMs: number;
  commitIntervalMs: number;
  emitIntervalMs: number;
}

/**
 * A stream processor under test. Adding a system is one entry in SYSTEMS: say whether it can run
 * here, how to start it, and where its aggregate topics are.
 */
export interface StreamSystem {
  id: string;
  label: string;
  /** undefined when it can run here, else why not (the harness prints a "not available" row). */
  unavailable(): string | undefined;
  /** One-off preparation (compiling); returns why it failed, or undefined. */
  prepare(): string | undefined;
  start(run: SystemRun): ChildProcess;
  /** Prefix of its `metrics-aggregated-*` topics, which the harness creates before start(). */
  outputPrefix(run: Pick<SystemRun, 'prefix'>): string;
  /** When its consumer group shows no members (Flink assigns partitions itself): how to wait until it runs. */
  waitReady?(proc: RunningProcess, capMs: number): Promise<string | undefined>;
  /**
   * Before every throughput run after the first: empties what it restores state from, where that
   * outlives its consumer group (the peers' state is per application id, so per run already).
   */
  freshState?(bk: BenchKafka, run: SystemRun): Promise<void>;
  /** When its lateness rule differs by design (Flink's watermark): its own equal-work check. */
  checkFinals?(check: FinalsCheck): Promise<EqualWorkReport>;
}

/** What an equal-work check gets: the system's finals and the exact answer over the input. */
export interface FinalsCheck {
  bk: BenchKafka;
  inputTopic: string;
  graceMs: number;
  finals: AggregateRecord[];
  undecodable: number;
  reference: Map<string, WindowTotals>;
}

export function outputTopics(prefix: string): string[] {
  return WINDOW_SPECS.map((w) => `${prefix}${w.topic}`);
}

/** Why a JVM peer in `peerDir` cannot run here (no java, or no mvn before its classpath is resolved). */
export function javaAvailable(peerDir: string): string | undefined {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return 'java not found (install Java 17)';
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (!existsSync(join(peerDir, 'target', 'classpath.txt')) && (mvn.error || mvn.status !== 0)) {
    return 'mvn not found (install Maven)';
  }
  return undefined;
}

function javaSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? javaSources(join(dir, d.name)) : d.name.endsWith('.java') ? [join(dir, d.name)] : [],
  );
}

/**
 * Resolves a JVM peer's classpath with Maven once (the download happens here, in prepare()), then
 * compiles its sources and the common ones with javac when a source changed; `mainClass` (its
 * target/classes path) is the freshness stamp.
 */
export function buildPeer(peerDir: string, mainClass: string): string | undefined {
  const target = join(peerDir, 'target');
  mkdirSync(target, { recursive: true });
  const cpFile = join(target, 'classpath.txt');
  const pom = join(peerDir, 'pom.xml');
  if (!existsSync(cpFile) || statSync(cpFile).mtimeMs < statSync(pom).mtimeMs) {
    const mvn = spawnSync('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], {
      cwd: peerDir,
      encoding: 'utf8',
    });
    if (mvn.status !== 0) return `mvn dependency:build-classpath failed: ${mvn.stdout}${mvn.stderr}`;
  }
  const sources = [...javaSources(join(peerDir, 'src', 'main', 'java')), ...javaSources(COMMON_JAVA)];
  const stamp = join(target, 'classes', mainClass);
  const newest = Math.max(...sources.map((s) => statSync(s).mtimeMs));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return undefined;
  const javac = spawnSync(
    'javac',
    ['-d', join(target, 'classes'), '-cp', readFileSync(cpFile, 'utf8').trim(), ...sources],
    { encoding: 'utf8' },
  );
  return javac.status === 0 ? undefined : `javac failed: ${javac.stderr}`;
}

/** target/classes plus the resolved dependencies of a JVM peer built by buildPeer. */
export function peerClasspath(peerDir: string): string {
  const target = join(peerDir, 'target');
  return `${join(target, 'classes')}:${readFileSync(join(target, 'classpath.txt'), 'utf8').trim()}`;
}

/**
 * JVM settings for the peers: a fixed heap (no resizing during the run; 2 GiB, as Flink's open
 * windows held back by the slowest partition's watermark outgrew 1 GiB in a smoke run), G1 with a pause goal below
 * the commit interval, and the heap touched at start so page faults land in start-up, which the
 * throughput measurement leaves out.
 */
export const PEER_JVM = [
  '-Xms2g',
  '-Xmx2g',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:+AlwaysPreTouch',
];

function kafkaStreamsPeer(mode: 'tuned' | 'naive', id: string, label: string): StreamSystem {
  return {
    id,
    label,
    unavailable: () => javaAvailable(PEER_DIR),
    prepare: () => buildPeer(PEER_DIR, join('streammetrics', 'peer', 'StreamsPeer.class')),
    outputPrefix: ({ prefix }) => `${prefix}${id}-`,
    start(run) {
      return spawn(
        'java',
        [
          ...(mode === 'tuned' ? PEER_JVM : ['-Xmx1g']),
          '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
          '-cp',
          peerClasspath(PEER_DIR),
          'streammetrics.peer.StreamsPeer',
        ],
        {
          cwd: PEER_DIR,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            PATH: process.env.PATH,
            KAFKA_BROKERS: run.brokers.join(','),
            PEER_MODE: mode,
            PEER_INPUT_TOPIC: `${run.prefix}${EVENTS_TOPIC}`,
            PEER_OUTPUT_PREFIX: `${run.prefix}${id}-`,
            PEER_APPLICATION_ID: run.groupId,
            PEER_STATE_DIR: join(PEER_TARGET, 'state'),
            GRACE_MS: String(run.graceMs),
            COMMIT_INTERVAL_MS: String(run.commitIntervalMs),
            EMIT_INTERVAL_MS: String(run.emitIntervalMs),
          },
        },
      );
    },
  };
}

/** Kafka Streams as its experts would write this job (bench/peers/kafka-streams SliceProcessor). */
export const kafkaStreamsTuned = kafkaStreamsPeer(
  'tuned',
  'peer',
  `Kafka Streams 3.9.1, tuned (slices, EOS v2, ${availableParallelism()} threads)`,
);
/** The same job as typical windowed-aggregate code: a whole digest through RocksDB per update. */
export const kafkaStreamsNaive = kafkaStreamsPeer(
  'naive',
  'peer-naive',
  'Kafka Streams 3.9.1, typical windowed-aggregate code (EOS v2)',
);

const PROCESSOR_MAIN = join('apps', 'stream-processor', 'src', 'main.ts');

export const streamMetrics: StreamSystem = {
  id: 'ours',
  label: 'StreamMetrics stream-processor (EOS)',
  unavailable: () =>
    existsSync(join(ROOT, PROCESSOR_MAIN))
      ? undefined
      : `not available (${PROCESSOR_MAIN} does not exist yet)`,
  prepare: () => undefined,
  outputPrefix: ({ prefix }) => prefix,
  // The window changelog is named by the topic prefix, not the group: a second run on the same
  // prefix would restore the first run's state (stream time past every window) and emit nothing.
  async freshState(bk, run) {
    const spec = topicSpecs(run.prefix).find((t) => t.topic === `${run.prefix}${CHANGELOG_TOPIC}`);
    if (!spec) throw new Error('no changelog topic in the topic table');
    await bk.recreateTopic(spec);
  },
  start(run) {
    return spawn(process.execPath, ['-r', '@swc-node/register', PROCESSOR_MAIN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        KAFKA_BROKERS: run.brokers.join(','),
        TOPIC_PREFIX: run.prefix,
        PROCESSOR_GROUP_ID: run.groupId,
        COMMIT_INTERVAL_MS: String(run.commitIntervalMs),
        EMIT_INTERVAL_MS: String(run.emitIntervalMs),
        GRACE_MS: String(run.graceMs),
        // Port 0: the OS picks a free one, so a bench run never collides with `npm start`.
        PROCESSOR_HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
      },
    });
  },
};

/** The systems compared side by side, in run order. */
export const SYSTEMS: readonly StreamSystem[] = [kafkaStreamsTuned, kafkaStreamsNaive, flink, streamMetrics];
