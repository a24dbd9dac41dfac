import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKafkaJars, waitForMetadata } from '../../../scripts/stack/kafka.broker';
import { KAFKA_LIBS, STACK_DIR } from '../../../scripts/stack/stack.paths';

/**
 * A second single-node KRaft broker from the same jars, on its own ports and data dir, that a test
 * may stop and start without touching the shared broker. scripts/stack/kafka.broker.ts hard-codes
 * its data dir, config and pid file, so the few lines that write the config and spawn Java are
 * repeated here with those as parameters.
 */
/** A listener beside PLAINTEXT (e.g. SASL_SSL), its broker properties and storage-format arguments. */
export interface ExtraListener {
  name: string;
  port: number;
  protocol: string;
  /** Broker properties it needs (TLS keystore, SASL mechanisms). */
  props: Record<string, string>;
  /** Extra `kafka-storage format` arguments, e.g. `--add-scram` for its users. */
  formatArgs?: string[];
}

export class ThrowawayBroker {
  readonly dir: string;
  private proc?: ChildProcess;

  constructor(
    readonly port = 19092,
    readonly controllerPort = 19093,
    name = 'gateway-fault-broker',
    private readonly extra?: ExtraListener,
  ) {
    this.dir = join(STACK_DIR, name);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  private javaArgs(main: string, args: string[]): string[] {
    return [
      '-Xms256m',
      '-Xmx384m',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${join(this.dir, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${this.dir}`,
      '-cp',
      `${KAFKA_LIBS}/*`,
      main,
      ...args,
    ];
  }

  /** Fresh data dir: the first start formats it, restarts keep the data (like a real broker restart). */
  reset(): void {
    ensureKafkaJars(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    const x = this.extra;
    const extraListener = x ? `,${x.name}://127.0.0.1:${x.port}` : '';
    const props = {
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': `1@127.0.0.1:${this.controllerPort}`,
      listeners: `PLAINTEXT://127.0.0.1:${this.port}${extraListener},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${this.port}${extraListener}`,
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': `CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${x ? `,${x.name}:${x.protocol}` : ''}`,
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': join(this.dir, 'data'),
      'auto.create.topics.enable': 'false',
      'offsets.topic.replication.factor': '1',
      'offsets.topic.num.partitions': '3',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
      ...x?.props,
    };
    writeFileSync(
      join(this.dir, 'server.properties'),
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    writeFileSync(
      join(this.dir, 'log4j.properties'),
      'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n' +
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n' +
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
    );
    const clusterId = randomBytes(16).toString('base64url');
    const r = spawnSync(
      'java',
      this.javaArgs('kafka.tools.StorageTool', [
        'format',
        '-t',
        clusterId,
        '-c',
        join(this.dir, 'server.properties'),
        ...(x?.formatArgs ?? []),
      ]),
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`storage format failed:\n${r.stdout}\n${r.stderr}`);
  }

  async start(): Promise<void> {
    ensureKafkaJars(() => undefined);
    if (!existsSync(join(this.dir, 'data', 'meta.properties'))) this.reset();
    const out = openSync(join(this.dir, 'broker.out'), 'a');
    this.proc = spawn('java', this.javaArgs('kafka.Kafka', [join(this.dir, 'server.properties')]), {
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    try {
      await waitForMetadata(this.brokers, 90_000);
    } catch (err) {
      const log = readFileSync(join(this.dir, 'broker.out'), 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`${(err as Error).message}\n${log}`);
    }
  }

  /** Controlled shutdown (SIGTERM), SIGKILL after 30 s. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    this.proc = undefined;
  }
}
