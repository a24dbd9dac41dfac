import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { groupProgress } from '@streammetrics/kafka';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * A real app (the stream-processor unless another is named) as a child process, so tests can
 * SIGKILL it like a crash.
 */
export class ProcessorProcess {
  private child: ChildProcess | undefined;
  readonly output: string[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly app = 'stream-processor',
  ) {}

  start(): void {
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${this.app}/src/main.ts`], {
      cwd: ROOT,
      env: { ...process.env, PROCESSOR_HTTP_PORT: '0', LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      this.output.push(b.toString());
      if (this.output.length > 200) this.output.shift();
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  /** The exit code once the process ended by itself, null while it runs or after a signal. */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || !this.alive) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }
}

/**
 * The settings the processor's e2e tests run it with: their own topics and group, fast commits,
 * and timeouts short enough that a crash or rebalance resolves within a test.
 */
export function testProcessorEnv(
  topicPrefix: string,
  groupId: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TOPIC_PREFIX: topicPrefix,
    PROCESSOR_GROUP_ID: groupId,
    COMMIT_INTERVAL_MS: '100',
    SESSION_TIMEOUT_MS: '6000',
    TRANSACTION_TIMEOUT_MS: '5000',
    ...extra,
  };
}

/** Sum of the group's committed offsets on a topic (how far exactly-once processing got). */
export async function committedTotal(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  return (await groupProgress(kafka, groupId, topic)).committed;
}

export async function endOffsetsTotal(kafka: Kafka, topic: string): Promise<number> {
  return (await groupProgress(kafka, 'none', topic)).end;
}

export { sleep };

/** Polls until the predicate holds or the timeout passes; returns whether it held. */
export async function waitFor(
  pred: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pred()) return true;
    await sleep(everyMs);
  }
  return false;
}
