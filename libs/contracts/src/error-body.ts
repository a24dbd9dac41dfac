import type { ValidationProblem } from './validation-problem';

/** One problem an error answer lists: the field and what is wrong, and the item's index in a batch. */
export type ErrorProblem = Pick<ValidationProblem, 'field' | 'message'> &
  Partial<Pick<ValidationProblem, 'index'>>;

/**
 * The one body of every error a client sees, from the gateway, the query API's REST answers and
 * its WebSocket: `{ error: { code, message, problems? } }` (docs/CONTRACTS.md).
 */
export interface ErrorBody {
  error: { code: string; message: string; problems?: ErrorProblem[] };
}

export function errorBody(code: string, message: string, problems?: readonly ErrorProblem[]): ErrorBody {
  return { error: { code, message, ...(problems ? { problems: [...problems] } : {}) } };
}

/** Whether a value (e.g. what a framework exception carries) already is an error body. */
export function isErrorBody(value: unknown): value is ErrorBody {
  const e = (value as ErrorBody | undefined)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
}
