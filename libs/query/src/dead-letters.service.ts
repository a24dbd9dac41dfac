import { ApiError } from './api-error';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@streammetrics/contracts';
import { HotStoreRepository } from './hot-store.repository';
import type { DeadLettersResponse } from './api.dto';
export type { DeadLettersResponse } from './api.dto';

const MINUTE = 60_000;

/** The dead-letter panel: what the sink keeps in Redis about the dead-letter topic. */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly hot: HotStoreRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Dead letters hold raw input of any service (their payload is what failed to parse), so a key
   * bound to services (`only` not null) may not read them.
   */
  async deadLetters(
    limit: number,
    minutes: number,
    only: readonly string[] | null = null,
  ): Promise<DeadLettersResponse> {
    if (only !== null)
      throw new ApiError(
        403,
        'FORBIDDEN',
        'dead letters span every service: a key bound to services may not read them',
      );
    const current = Math.floor(this.clock.now() / MINUTE) * MINUTE;
    const starts = Array.from({ length: minutes }, (_, i) => current - (minutes - 1 - i) * MINUTE);
    const [recent, counts] = await Promise.all([
      this.hot.recentDeadLetters(limit),
      this.hot.deadLetterCounts(starts),
    ]);
    const totals: Record<string, number> = {};
    for (const c of counts)
      for (const [reason, n] of Object.entries(c)) totals[reason] = (totals[reason] ?? 0) + n;
    return {
      recent,
      perMinute: starts.map((minute, i) => ({ minute, counts: counts[i] ?? {} })),
      totals,
      late: totals.LATE_EVENT ?? 0,
    };
  }
}
