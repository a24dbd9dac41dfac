import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKeyIdentity, RequireScope } from '@streammetrics/auth';
import {
  ErrorBodyDto,
  EventsAcceptedDto,
  MetricEventDto,
  MetricStreamBatchDto,
  MetricStreamItemDto,
  MetricsProcessedDto,
} from './ingest.dto';
import { IngestService } from './ingest.service';

const ERRORS = [
  [400, 'Malformed JSON or schema violation: every problem listed, nothing accepted'],
  [413, 'Body larger than the limit (after gzip decoding too)'],
  [415, 'Content type other than JSON, or an unsupported Content-Encoding'],
  [429, "Over the key's event rate: Retry-After and RateLimit-* headers"],
  [503, 'Kafka unreachable or the gateway at capacity: Retry-After; nothing was accepted'],
] as const;

function ErrorResponses(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const [status, description] of ERRORS)
      ApiResponse({ status, description, type: ErrorBodyDto })(target, key, descriptor);
  };
}

@ApiTags('ingest')
@ApiExtraModels(MetricEventDto, MetricStreamBatchDto, MetricStreamItemDto)
@Controller()
@RequireScope('ingest')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post('api/v1/events')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ingest one event or an array of events (StreamMetrics schema); 2xx = stored with acks=all',
  })
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(MetricEventDto) },
        { type: 'array', items: { $ref: getSchemaPath(MetricEventDto) } },
      ],
    },
  })
  @ApiOkResponse({ type: EventsAcceptedDto })
  @ErrorResponses()
  async events(
    @Body() body: unknown,
    @ApiKeyIdentity() key: ApiKeyIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventsAcceptedDto> {
    const { events, headers } = await this.ingest.ingest('events', body, key);
    void reply.headers(headers);
    return { accepted: events.length, eventIds: events.map((e) => e.eventId) };
  }

  @Post('metrics')
  @HttpCode(200)
  @ApiOperation({
    summary: 'MetricStream format: {"metrics":[{timestamp,name,value,tags}]} or one {"name","value"}',
  })
  @ApiBody({
    schema: {
      oneOf: [{ $ref: getSchemaPath(MetricStreamBatchDto) }, { $ref: getSchemaPath(MetricStreamItemDto) }],
    },
  })
  @ApiOkResponse({ type: MetricsProcessedDto })
  @ErrorResponses()
  async metrics(
    @Body() body: unknown,
    @ApiKeyIdentity() key: ApiKeyIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MetricsProcessedDto> {
    const { events, headers } = await this.ingest.ingest('metrics', body, key);
    void reply.headers(headers);
    return { success: true, metrics_processed: events.length };
  }
}
