import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@streammetrics/contracts';
import type { Silence } from '@streammetrics/contracts/api';
import { ApiError } from '@streammetrics/query';
import { SilencesRepository } from '../silences.repository';
import { checkSilenceSpec } from './silence-spec.check';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class SilencesService {
  constructor(
    private readonly silences: SilencesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(): Promise<{ silences: Silence[] }> {
    return { silences: await this.silences.list() };
  }

  /** `author` (the API key's name) is the creator unless the body names one. */
  async create(body: unknown, author: string): Promise<Silence> {
    const r = checkSilenceSpec(body, this.clock.now(), author);
    if (r.ok) return this.silences.create(r.silence);
    const n = r.problems.length;
    throw new ApiError(
      400,
      'VALIDATION_FAILED',
      `the silence has ${n} problem${n === 1 ? '' : 's'}`,
      r.problems,
    );
  }

  /** Ends a silence now; it stays listed, as expired. */
  async expire(id: string): Promise<void> {
    // Ids are UUIDs: anything else cannot exist (and would be a type error in PostgreSQL).
    if (!UUID.test(id) || !(await this.silences.expire(id)))
      throw ApiError.notFound(`no silence "${id}" that has not ended`);
  }
}
