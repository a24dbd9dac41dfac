import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyIdentity, RequireScope } from '@streammetrics/auth';
import { DeadLettersService } from './dead-letters.service';
import { OverviewService } from './overview.service';
import { deadLetterQuerySchema } from './query.dto';
import { ZodPipe } from './zod.pipe';

@ApiTags('dashboard')
@RequireScope('read')
@Controller('api/v1')
export class DashboardDataController {
  constructor(
    private readonly overviewService: OverviewService,
    private readonly deadLettersService: DeadLettersService,
  ) {}

  @Get('overview')
  @ApiOperation({ summary: 'Every live service: throughput, error ratio, error-free p50/p95/p99 per metric' })
  overview(@ApiKeyIdentity() key: ApiKeyIdentity) {
    return this.overviewService.overview(key.services);
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Recent dead letters and per-minute counts by reason (LATE_EVENT = late events)' })
  deadLetters(
    @Query(new ZodPipe(deadLetterQuerySchema)) q: { limit: number; minutes: number },
    @ApiKeyIdentity() key: ApiKeyIdentity,
  ) {
    return this.deadLettersService.deadLetters(q.limit, q.minutes, key.services);
  }
}
