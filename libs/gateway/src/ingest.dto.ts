import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes only: requests are validated by the compiled JSON Schema, not by these classes. */

export class MetricEventDto {
  @ApiPropertyOptional({
    description: 'Generated when absent',
    example: '6f1c2b1e-7c1a-4a53-9a8e-1f0f0d2f3a11',
  })
  eventId?: string;
  @ApiProperty({
    description: 'Epoch ms or ISO-8601',
    oneOf: [{ type: 'integer' }, { type: 'string', format: 'date-time' }],
    example: 1707267600000,
  })
  timestamp!: number | string;
  @ApiProperty({ pattern: '^[A-Za-z0-9._-]{1,200}$', example: 'payment-service' })
  serviceId!: string;
  @ApiPropertyOptional({ maxLength: 256, example: 'payment-service-pod-3' })
  instanceId?: string;
  @ApiPropertyOptional({ maxLength: 64, example: 'HTTP_REQUEST' })
  metricType?: string;
  @ApiProperty({ pattern: '^[A-Za-z0-9._-]{1,200}$', example: 'api.request.duration' })
  metricName!: string;
  @ApiProperty({ minimum: -1e15, maximum: 1e15, example: 245.5 })
  value!: number;
  @ApiPropertyOptional({ maxLength: 64, example: 'milliseconds' })
  unit?: string;
  @ApiPropertyOptional({
    description: 'At most 32 pairs; keys and values at most 256 characters',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { endpoint: '/api/v1/payments', method: 'POST' },
  })
  tags?: Record<string, string>;
  @ApiPropertyOptional({
    description: 'ingestion_time, client_id and datacenter are set by the gateway',
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { traceId: 'abc123' },
  })
  metadata?: Record<string, string | number | boolean>;
}

export class MetricStreamItemDto {
  @ApiPropertyOptional({ description: 'ISO-8601 or epoch ms; default now', example: '2025-10-12T15:30:00Z' })
  timestamp?: string | number;
  @ApiProperty({ example: 'app.cpu.usage' })
  name!: string;
  @ApiProperty({ example: 75.5 })
  value!: number;
  @ApiPropertyOptional({
    description: "tags.service becomes the serviceId (default: the API key's client id)",
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { host: 'web-server-01', region: 'us-west-2', service: 'api' },
  })
  tags?: Record<string, string>;
  @ApiPropertyOptional({ example: 'percent' })
  unit?: string;
}

export class MetricStreamBatchDto {
  @ApiProperty({ type: [MetricStreamItemDto] })
  metrics!: MetricStreamItemDto[];
}

export class EventsAcceptedDto {
  @ApiProperty({ description: 'Events durably stored (acks=all)', example: 1 })
  accepted!: number;
  @ApiProperty({ type: [String], description: 'In request order; generated where absent' })
  eventIds!: string[];
}

export class MetricsProcessedDto {
  @ApiProperty({ example: true })
  success!: boolean;
  @ApiProperty({ example: 1 })
  metrics_processed!: number;
}

class ProblemDto {
  @ApiProperty({ description: 'Position of the item in the batch', example: 0 })
  index!: number;
  @ApiProperty({ description: 'JSON Pointer of the field', example: '/value' })
  field!: string;
  @ApiProperty({ example: 'must be number' })
  message!: string;
}

class ErrorDetailDto {
  @ApiProperty({ example: 'VALIDATION_FAILED' })
  code!: string;
  @ApiProperty()
  message!: string;
  @ApiPropertyOptional({ type: [ProblemDto] })
  problems?: ProblemDto[];
}

export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}
