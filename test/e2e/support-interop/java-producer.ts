import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafkaJars } from '../../../scripts/stack/kafka.broker';
import { KAFKA_LIBS, ROOT, STACK_DIR } from '../../../scripts/stack/stack.paths';

const run = promisify(execFile);

const SOURCE_DIR = join(ROOT, 'test', 'interop', 'java-producer');
const SOURCE = join(SOURCE_DIR, 'SeededProducer.java');
const LOG_CONFIG = join(SOURCE_DIR, 'log4j.properties');
const BUILD_DIR = join(STACK_DIR, 'interop', 'java-producer');
const CLASS_FILE = join(BUILD_DIR, 'SeededProducer.class');

export type JavaCodec = 'snappy' | 'lz4' | 'zstd' | 'gzip';

/** What the program printed: acknowledgements per partition as the broker reported them. */
export interface JavaProducerSummary {
  acknowledged: number;
  compression: JavaCodec;
  confluentSchemaId: number | null;
  partitions: Record<string, { count: number; firstOffset: number; lastOffset: number; keys: string[] }>;
}

/**
 * Compiles the Java producer against the Kafka jars the local stack caches (the broker's own
 * classpath: kafka-clients 3.9.1 with its codecs, Jackson, slf4j), unless the class is newer than
 * its source. No Maven project: the jars are already on disk, and javac takes about two seconds.
 */
export async function buildJavaProducer(): Promise<void> {
  ensureKafkaJars((msg) => process.stderr.write(`[java-producer] ${msg}\n`));
  if (existsSync(CLASS_FILE) && statSync(CLASS_FILE).mtimeMs >= statSync(SOURCE).mtimeMs) return;
  mkdirSync(BUILD_DIR, { recursive: true });
  try {
    await run('javac', ['-cp', join(KAFKA_LIBS, '*'), '-d', BUILD_DIR, SOURCE], { timeout: 120_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`javac failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}

/**
 * Runs the Java producer once (one JVM, one idempotent producer) over an events file. Rejects with
 * the program's stderr when it exits non-zero, which it does on any send error.
 */
export async function runJavaProducer(o: {
  brokers: string[];
  topic: string;
  compression: JavaCodec;
  input: string;
  confluentSchemaId?: number;
}): Promise<JavaProducerSummary> {
  const args = [
    // A short-lived client: a small heap and the C1 compiler only start the JVM in well under a second.
    '-Xmx128m',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j.configuration=file:${LOG_CONFIG}`,
    '-cp',
    `${BUILD_DIR}:${join(KAFKA_LIBS, '*')}`,
    'SeededProducer',
    '--bootstrap-servers',
    o.brokers.join(','),
    '--topic',
    o.topic,
    '--compression',
    o.compression,
    '--input',
    o.input,
    ...(o.confluentSchemaId === undefined ? [] : ['--confluent-schema-id', String(o.confluentSchemaId)]),
  ];
  try {
    const { stdout } = await run('java', args, { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });
    const last = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last) as JavaProducerSummary;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `the Java producer (${o.compression}) failed: ${e.message}\nstdout:\n${e.stdout ?? ''}\nstderr:\n${(e.stderr ?? '').slice(-4000)}`,
    );
  }
}
