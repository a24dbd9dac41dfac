import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiKeyIdentity, RequireScope } from '@streammetrics/auth';
import { metricStreamQuerySchema, type MetricStreamQuery } from './query.dto';
import { MetricStreamService } from './metricstream.service';
import { ZodPipe } from './zod.pipe';

@ApiTags('metricstream')
@RequireScope('read')
@Controller('api')
export class MetricStreamController {
  constructor(private readonly metricStream: MetricStreamService) {}

  @Get('query')
  @ApiOperation({ summary: 'MetricStream compatibility: per-minute avg/max/min of a metric' })
  @ApiQuery({ name: 'name', required: true })
  @ApiQuery({ name: 'start', required: true, description: 'ISO-8601 or epoch ms' })
  @ApiQuery({ name: 'end', required: true, description: 'ISO-8601 or epoch ms' })
  @ApiQuery({ name: 'service', required: false, description: 'only this service (default: every service)' })
  query(
    @Query(new ZodPipe(metricStreamQuerySchema)) q: MetricStreamQuery,
    @ApiKeyIdentity() key: ApiKeyIdentity,
  ) {
    return this.metricStream.query(q, key.services);
  }
}
