import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka, waitForPartitionsServed } from '@streammetrics/kafka';
import { daemonPid, startJavaDaemon, stopJavaDaemon, type JavaDaemon } from './java.daemon';
import {
  KAFKA_CONFIG,
  KAFKA_DATA,
  KAFKA_DIR,
  KAFKA_LIBS,
  KAFKA_LOG4J,
  KAFKA_OUT,
  KAFKA_PID,
  KAFKA_POM,
} from './stack.paths';
import { isPortOpen, sleep } from './net.util';
import { warmUpCoordinators } from './kafka.warmup';

export interface BrokerOptions {
  port: number;
  controllerPort: number;
  heap: string;
  log: (msg: string) => void;
}

/** Resolves the Kafka jars from Maven Central once; later calls find them cached. */
export function ensureKafkaJars(log: (msg: string) => void): void {
  if (existsSync(KAFKA_LIBS) && readdirSync(KAFKA_LIBS).some((f) => f.startsWith('kafka_2.13-'))) return;
  log('resolving the Apache Kafka jars from Maven Central (first run only)...');
  mkdirSync(KAFKA_DIR, { recursive: true });
  const r = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      KAFKA_POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${KAFKA_LIBS}`,
      '-DincludeScope=runtime',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.error)
    throw new Error(`cannot run mvn (${r.error.message}): install Java 17 and Maven, or set KAFKA_BROKERS`);
  if (r.status !== 0) {
    rmSync(KAFKA_LIBS, { recursive: true, force: true });
    throw new Error(`mvn dependency:copy-dependencies failed with exit code ${r.status}`);
  }
}

function writeBrokerConfig(o: BrokerOptions): void {
  const props = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${o.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': KAFKA_DATA,
    'num.partitions': '1',
    // Topics are created by the project (docs/CONTRACTS.md "Topics"); a typo must fail, not make one.
    'auto.create.topics.enable': 'false',
    // One broker: the internal topics must not ask for replicas that cannot exist.
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '10',
    // Tests and restarts join groups often; waiting 3 s for more members only slows them down.
    'group.initial.rebalance.delay.ms': '0',
    'log.cleaner.enable': 'true',
    'delete.topic.enable': 'true',
  };
  writeFileSync(
    KAFKA_CONFIG,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  writeFileSync(
    KAFKA_LOG4J,
    [
      'log4j.rootLogger=WARN, stdout',
      'log4j.logger.kafka=INFO',
      'log4j.logger.kafka.server.KafkaServer=INFO',
      'log4j.logger.kafka.log.LogCleaner=WARN',
      'log4j.logger.org.apache.kafka=WARN',
      'log4j.logger.state.change.logger=WARN',
      'log4j.logger.kafka.coordinator=WARN',
      'log4j.logger.kafka.controller=WARN',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  );
}

function javaArgs(o: BrokerOptions, main: string, args: string[]): string[] {
  return [
    `-Xms${o.heap}`,
    `-Xmx${o.heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${KAFKA_LOG4J}`,
    `-Dkafka.logs.dir=${KAFKA_DIR}`,
    '-cp',
    `${KAFKA_LIBS}/*`,
    main,
    ...args,
  ];
}

function formatStorageIfNeeded(o: BrokerOptions): void {
  if (existsSync(join(KAFKA_DATA, 'meta.properties'))) return;
  mkdirSync(KAFKA_DATA, { recursive: true });
  // A Kafka cluster id is 16 random bytes in URL-safe base64 without padding.
  const clusterId = randomBytes(16).toString('base64url');
  const r = spawnSync(
    'java',
    javaArgs(o, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', KAFKA_CONFIG]),
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`kafka storage format failed:\n${r.stdout}\n${r.stderr}`);
}

const BROKER: JavaDaemon = { name: 'the broker', pidFile: KAFKA_PID, outFile: KAFKA_OUT };

export function brokerPid(): number | undefined {
  return daemonPid(BROKER);
}

/** Waits until the broker answers a metadata request (not just until the port opens). */
export async function waitForMetadata(brokers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const admin = createKafka({
      brokers,
      clientId: 'stack-probe',
      retries: 0,
      connectionTimeoutMs: 1000,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
    } catch (err) {
      last = err;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(250);
  }
  throw new Error(`no metadata answer from ${brokers.join(',')} within ${timeoutMs} ms: ${String(last)}`);
}

/** Waits until the broker serves every partition it hosts (it may lag metadata after a restart). */
async function waitForAllPartitions(brokers: string[], timeoutMs: number): Promise<void> {
  const admin = createKafka({ brokers, clientId: 'stack-probe', retries: 0 }).admin();
  await admin.connect();
  try {
    await waitForPartitionsServed(admin, await admin.listTopics(), timeoutMs);
  } finally {
    await admin.disconnect();
  }
}

/** Starts the local broker unless ours already runs. Returns how it went, for the status line. */
export async function startBroker(
  o: BrokerOptions,
): Promise<'started' | 'already running' | 'found running (not started from this checkout)'> {
  const brokers = [`127.0.0.1:${o.port}`];
  if (brokerPid() !== undefined) {
    await waitForMetadata(brokers, 60_000);
    return 'already running';
  }
  if (await isPortOpen('127.0.0.1', o.port)) {
    // Another checkout's broker (or any Kafka) already answering on the default address is as good
    // as ours for local work; something else on that port is an error worth a clear message.
    const kafka = await waitForMetadata(brokers, 5_000).then(
      () => true,
      () => false,
    );
    if (kafka) return 'found running (not started from this checkout)';
    throw new Error(
      `port ${o.port} is taken by a process that is not a Kafka broker; ` +
        `set KAFKA_BROKERS to use another cluster, or STACK_KAFKA_PORT to move ours`,
    );
  }
  ensureKafkaJars(o.log);
  writeBrokerConfig(o);
  formatStorageIfNeeded(o);
  await startJavaDaemon(BROKER, javaArgs(o, 'kafka.Kafka', [KAFKA_CONFIG]), () =>
    waitForMetadata(brokers, 90_000)
      .then(() => waitForAllPartitions(brokers, 90_000))
      .then(() => warmUpCoordinators(brokers, 90_000)),
  );
  return 'started';
}

/** Stops the broker with SIGTERM (a controlled shutdown that keeps the data), SIGKILL after 60 s. */
export function stopBroker(): Promise<'stopped' | 'not running'> {
  return stopJavaDaemon(BROKER, 60_000);
}
