import type { MaintenanceLockRepository } from './maintenance.lock';
import type { RetentionService } from './retention.service';
import type { RollupService } from './rollup.service';
import type { SinkLog } from './sink.log';
import type { SinkMetrics } from './sink.metrics';
import { messageOf } from './store.errors';

export { MAINTENANCE_LOCK } from './maintenance.lock';

export type MaintenanceOutcome = 'ran' | 'skipped' | 'failed';

/**
 * Runs rollups then retention every `intervalMs`. The runner holds a session-level advisory lock
 * for the round: another replica's round is skipped, and if this process dies its connection
 * closes and the lock goes with it.
 */
export class MaintenanceScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<MaintenanceOutcome> | undefined;
  private stopped = false;

  constructor(
    private readonly lock: MaintenanceLockRepository,
    private readonly rollups: RollupService,
    private readonly retention: RetentionService,
    private readonly intervalMs: number,
    private readonly metrics: SinkMetrics,
    private readonly log: SinkLog,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(5_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  async runOnce(): Promise<MaintenanceOutcome> {
    let lock;
    try {
      lock = await this.lock.tryAcquire();
    } catch (err) {
      this.log.warn({ err: messageOf(err) }, 'maintenance: PostgreSQL unavailable; next round will retry');
      this.metrics.maintenanceRuns.inc({ outcome: 'failed' });
      return 'failed';
    }
    if (!lock) {
      this.metrics.maintenanceRuns.inc({ outcome: 'skipped' });
      return 'skipped';
    }
    let outcome: MaintenanceOutcome = 'ran';
    try {
      await this.rollups.run();
      await this.retention.run();
    } catch (err) {
      outcome = 'failed';
      this.log.warn({ err: messageOf(err) }, 'maintenance round failed; next round will retry');
    } finally {
      await lock.release(outcome === 'failed');
      this.metrics.maintenanceRuns.inc({ outcome });
    }
    return outcome;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce();
      void this.running.finally(() => this.schedule(this.intervalMs));
    }, ms);
    this.timer.unref();
  }
}
