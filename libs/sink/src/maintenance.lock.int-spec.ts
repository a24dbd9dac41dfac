import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { testEnv } from '@streammetrics/testing';
import { MaintenanceLockRepository } from './maintenance.lock';
import { MaintenanceScheduler } from './maintenance.scheduler';
import type { RetentionService } from './retention.service';
import type { RollupService } from './rollup.service';
import { silentLog } from './sink.log';
import { createSinkMetrics } from './sink.metrics';

describe('the maintenance lock (real PostgreSQL)', () => {
  // Two pools stand for two sink replicas: an advisory lock is per session.
  let a: Pool;
  let b: Pool;
  beforeAll(() => {
    a = new Pool({ connectionString: testEnv().databaseUrl, max: 2 });
    b = new Pool({ connectionString: testEnv().databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await a.end();
    await b.end();
  });

  it('is held by one replica at a time and passes on when released', async () => {
    const first = await new MaintenanceLockRepository(a).tryAcquire();
    expect(first).not.toBeNull();
    expect(await new MaintenanceLockRepository(b).tryAcquire()).toBeNull();
    await first!.release(false);
    const second = await new MaintenanceLockRepository(b).tryAcquire();
    expect(second).not.toBeNull();
    await second!.release(false);
  });

  it('lets the other replica run while one holds the lock, and a failed round frees it too', async () => {
    const runs: string[] = [];
    const scheduler = (pool: Pool, name: string, fail = false) =>
      new MaintenanceScheduler(
        new MaintenanceLockRepository(pool),
        {
          run: async () => {
            runs.push(name);
            if (fail) throw new Error('rollup failed');
          },
        } as unknown as RollupService,
        { run: async () => [] } as unknown as RetentionService,
        60_000,
        createSinkMetrics(new Registry()),
        silentLog,
      );
    const held = await new MaintenanceLockRepository(a).tryAcquire();
    expect(await scheduler(b, 'b').runOnce()).toBe('skipped');
    await held!.release(false);
    expect(await scheduler(b, 'b', true).runOnce()).toBe('failed');
    expect(await scheduler(a, 'a').runOnce()).toBe('ran');
    expect(runs).toEqual(['b', 'a']);
  });
});
