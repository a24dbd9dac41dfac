/** Why a key was refused. `retriable` says whether the same request can succeed later (STYLE.md §8). */
export class ApiKeyError extends Error {
  constructor(
    readonly code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'AUTH_UNAVAILABLE',
    message: string,
    readonly retriable = false,
  ) {
    super(message);
    this.name = 'ApiKeyError';
  }
}
