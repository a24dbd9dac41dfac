import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A started system: its output tail (for error reports) and a graceful stop. */
export class RunningProcess {
  private tail: string[] = [];
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly onLine?: (line: string) => void,
  ) {
    for (const s of [child.stdout, child.stderr]) {
      let pending = '';
      s?.on('data', (c: Buffer) => {
        const lines = (pending + c.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) {
          this.tail.push(l);
          if (this.tail.length > 60) this.tail.shift();
          this.onLine?.(l);
        }
      });
    }
    this.exitPromise = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Set once the process has exited by itself or been stopped. */
  get exit() {
    return this.exited;
  }

  output(): string {
    return this.tail.join('\n');
  }

  /** SIGTERM, then SIGKILL after `graceMs` if it does not leave. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const killed = sleep(graceMs).then(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    });
    await Promise.race([this.exitPromise, killed]);
    await this.exitPromise;
  }
}
