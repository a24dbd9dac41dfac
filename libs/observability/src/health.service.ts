import { Injectable } from '@nestjs/common';

export type HealthCheck = () => Promise<HealthState> | HealthState;
export interface HealthState {
  ok: boolean;
  detail?: string;
}

/**
 * Readiness is the conjunction of the checks the app's services register (Kafka connected,
 * a store reachable, state restored...). Liveness only says the event loop answers: restarting a
 * process because a dependency is down would not help, so dependencies never fail liveness.
 */
@Injectable()
export class HealthService {
  private readonly checks = new Map<string, HealthCheck>();
  private shuttingDown = false;

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, HealthState> }> {
    const checks: Record<string, HealthState> = {};
    for (const [name, check] of this.checks) {
      try {
        checks[name] = await check();
      } catch (err) {
        checks[name] = { ok: false, detail: (err as Error).message };
      }
    }
    if (this.shuttingDown) checks.shutdown = { ok: false, detail: 'shutting down' };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}
