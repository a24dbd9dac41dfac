import { errorBody } from '@streammetrics/contracts';
import type { QueryProblem, ApiErrorBody } from './api.dto';
export type { QueryProblem, ApiErrorBody } from './api.dto';

/**
 * An error a client caused or may retry. `retriable` says whether the same request can succeed
 * later: a bad parameter never will, a store that is down may.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: QueryProblem[],
    readonly retriable = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static invalid(problems: QueryProblem[]): ApiError {
    return new ApiError(
      400,
      'VALIDATION_FAILED',
      `${problems.length} invalid parameter${problems.length === 1 ? '' : 's'}`,
      problems,
    );
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, 'NOT_FOUND', message);
  }

  static unavailable(message: string): ApiError {
    return new ApiError(503, 'STORE_UNAVAILABLE', message, undefined, true);
  }

  body(): ApiErrorBody {
    return errorBody(this.code, this.message, this.problems);
  }
}
