import type { z } from 'zod';
import type { ErrorProblem } from '@streammetrics/contracts';

/**
 * A zod error as the problems of an error answer, one per field: an unknown field is named at its
 * own path ("/severity: unknown field"), not at the object that holds it.
 */
export function zodProblems(error: z.ZodError, index?: number): ErrorProblem[] {
  const at = index === undefined ? {} : { index };
  return error.issues.flatMap((i) => {
    const base = i.path.map(String).join('/');
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({
        ...at,
        field: `/${base ? `${base}/` : ''}${k}`,
        message: 'unknown field',
      }));
    }
    return [{ ...at, field: `/${base}`, message: i.message }];
  });
}
