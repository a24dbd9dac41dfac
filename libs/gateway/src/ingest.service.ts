import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Message } from 'kafkajs';
import { mayAccessService, type ApiKeyIdentity } from '@streammetrics/auth';
import { CLOCK, type Clock, type MetricEvent } from '@streammetrics/contracts';
import { mapEventsBody, mapMetricStreamBody, type IngestContext } from './event.mapper';
import { EventPublisher } from './event.publisher';
import { GatewayError } from './gateway.errors';
import { GatewayMetrics } from './gateway.metrics';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { RateLimitService } from './rate-limit.service';
import { SeriesBudgetService } from './series-budget.service';

export type IngestFormat = 'events' | 'metrics';

export interface IngestOutcome {
  events: MetricEvent[];
  /** RateLimit-* headers for the answer. */
  headers: Record<string, string>;
}

// The value stays a string: the producer's encoder writes it as UTF-8 straight into the batch.
function toMessage(e: MetricEvent): Message {
  return { key: e.serviceId, value: JSON.stringify(e) };
}

/**
 * One ingest request: map and validate every item (all problems or nothing), charge the events to
 * the key's rate, then hand them to the publisher and wait for Kafka's acknowledgement.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly rateLimit: RateLimitService,
    private readonly seriesBudget: SeriesBudgetService,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_OPTIONS) private readonly opts: GatewayOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async ingest(format: IngestFormat, body: unknown, key: ApiKeyIdentity): Promise<IngestOutcome> {
    const ctx: IngestContext = {
      clientId: key.clientId,
      datacenter: this.opts.datacenter,
      now: this.clock.now(),
      newId: randomUUID,
    };
    const mapped = format === 'events' ? mapEventsBody(body, ctx) : mapMetricStreamBody(body, ctx);
    if (!mapped.ok) throw GatewayError.validation(mapped.problems);
    const denied = [...new Set(mapped.events.map((e) => e.serviceId))].filter(
      (s) => !mayAccessService(key, s),
    );
    if (denied.length > 0) {
      this.metrics.forbiddenServices.inc();
      throw new GatewayError(
        403,
        'FORBIDDEN',
        `this API key may not write service${denied.length > 1 ? 's' : ''} ${denied.slice(0, 5).join(', ')}`,
      );
    }
    const headers = await this.rateLimit.consume(key, mapped.events.length);
    await this.seriesBudget.admit(key, mapped.events);
    try {
      await this.publisher.publish(mapped.events.map(toMessage));
    } catch (err) {
      if (err instanceof GatewayError) err.opts.headers = { ...headers, ...err.opts.headers };
      throw err;
    }
    this.metrics.eventsAccepted.inc({ route: format }, mapped.events.length);
    return { events: mapped.events, headers };
  }
}
