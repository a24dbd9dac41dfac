import { errorBody, type ErrorBody, type ValidationProblem } from '@streammetrics/contracts';

export type { ErrorBody };

export type GatewayErrorCode =
  | 'INVALID_JSON'
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'RATE_LIMIT_UNAVAILABLE'
  | 'SERIES_BUDGET_EXCEEDED'
  | 'KAFKA_UNAVAILABLE'
  | 'OVERLOADED'
  | 'AUTH_UNAVAILABLE'
  | 'INTERNAL';

/**
 * An error a client sees. `retriable` says whether sending the same request again can succeed
 * (Kafka back, capacity free); `retryAfterSec` becomes the Retry-After header.
 */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: GatewayErrorCode,
    message: string,
    readonly opts: {
      retriable?: boolean;
      retryAfterSec?: number;
      problems?: ValidationProblem[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  get retriable(): boolean {
    return this.opts.retriable ?? false;
  }

  body(): ErrorBody {
    return errorBody(this.code, this.message, this.opts.problems);
  }

  static validation(problems: ValidationProblem[]): GatewayError {
    const items = new Set(problems.map((p) => p.index)).size;
    return new GatewayError(
      400,
      'VALIDATION_FAILED',
      `${problems.length} problem(s) in ${items} item(s); nothing was accepted`,
      { problems },
    );
  }

  static kafkaUnavailable(detail: string): GatewayError {
    return new GatewayError(
      503,
      'KAFKA_UNAVAILABLE',
      `events could not be stored: ${detail}; nothing was accepted`,
      {
        retriable: true,
        retryAfterSec: 2,
      },
    );
  }

  static overloaded(detail: string): GatewayError {
    return new GatewayError(
      503,
      'OVERLOADED',
      `the gateway is at capacity (${detail}); nothing was accepted`,
      {
        retriable: true,
        retryAfterSec: 1,
      },
    );
  }
}
