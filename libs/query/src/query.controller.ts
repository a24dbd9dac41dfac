import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiKeyIdentity, RequireScope } from '@streammetrics/auth';
import { DiscoveryService } from './discovery.service';
import {
  metricParamsSchema,
  seriesQuerySchema,
  serviceParamsSchema,
  summaryQuerySchema,
  STATS,
  type SeriesQuery,
  type SummaryQuery,
} from './query.dto';
import { SeriesService } from './series.service';
import { SummaryService } from './summary.service';
import { ZodPipe } from './zod.pipe';

const TIME = 'epoch milliseconds or ISO-8601';

@ApiTags('query')
@RequireScope('read')
@Controller('api/v1')
export class QueryController {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly seriesService: SeriesService,
    private readonly summaryService: SummaryService,
  ) {}

  @Get('services')
  @ApiOperation({ summary: 'Services seen in the last 7 days (live = in the last hour)' })
  services(@ApiKeyIdentity() key: ApiKeyIdentity) {
    return this.discovery.services(key.services);
  }

  @Get('services/:service/metrics')
  @ApiOperation({ summary: 'Metrics of a service' })
  @ApiParam({ name: 'service' })
  metrics(@Param(new ZodPipe(serviceParamsSchema)) p: { service: string }) {
    return this.discovery.metrics(p.service);
  }

  @Get('services/:service/metrics/:metric/tags')
  @ApiOperation({ summary: 'Tag keys of a metric and the values seen for each' })
  @ApiParam({ name: 'service' })
  @ApiParam({ name: 'metric' })
  tags(@Param(new ZodPipe(metricParamsSchema)) p: { service: string; metric: string }) {
    return this.discovery.tags(p.service, p.metric);
  }

  @Get('series')
  @ApiOperation({
    summary:
      'One metric of one service over [from, to): hot tier (Redis) for the last hour, cold (PostgreSQL) before',
    description:
      'Each point carries `tier`. Tag filters select every series whose tags contain them and merge their digests; ' +
      'without filters the service-level rollup is returned. 1h and 1d come from the rollup tables.',
  })
  @ApiQuery({ name: 'service', required: true })
  @ApiQuery({ name: 'metric', required: true })
  @ApiQuery({
    name: 'window',
    required: false,
    description:
      'a configured window (WINDOWS, default 1m, 5m, 15m, 1m-hop10s) or a rollup (1h, 1d); default 1m',
  })
  @ApiQuery({ name: 'from', required: false, description: `${TIME}; default to - 1 h (or 60 windows)` })
  @ApiQuery({ name: 'to', required: false, description: `${TIME}; default now` })
  @ApiQuery({ name: 'tag', required: false, isArray: true, description: 'key:value, repeatable' })
  @ApiQuery({ name: 'groupBy', required: false, description: 'a tag key: one series per value' })
  @ApiQuery({ name: 'stats', required: false, description: `comma list of ${STATS.join(', ')}` })
  @ApiOkResponse({ description: 'series with points { start, end, time, tier, final, ...stats }' })
  // The service serialises the answer itself (reusing the points of unchanged windows).
  @Header('content-type', 'application/json; charset=utf-8')
  series(@Query(new ZodPipe(seriesQuerySchema)) q: SeriesQuery) {
    return this.seriesService.seriesBody(q);
  }

  @Get('summary')
  @ApiOperation({
    summary: 'Exact count/sum/min/max and any quantiles over a range, by merging the stored 1m digests',
  })
  @ApiQuery({ name: 'service', required: true })
  @ApiQuery({ name: 'metric', required: true })
  @ApiQuery({ name: 'from', required: false, description: `${TIME}; default to - 24 h` })
  @ApiQuery({ name: 'to', required: false, description: `${TIME}; default now` })
  @ApiQuery({ name: 'tag', required: false, isArray: true, description: 'key:value, repeatable' })
  @ApiQuery({
    name: 'q',
    required: false,
    description: 'quantiles, e.g. 0.5,0.99,p99.9 (default p50,p95,p99)',
  })
  summary(@Query(new ZodPipe(summaryQuerySchema)) q: SummaryQuery) {
    return this.summaryService.summary(q);
  }
}
