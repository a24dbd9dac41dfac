/** Why a key was refused. `retriable` says whether the same request can succeed later (AUTH_UNAVAILABLE). */
export class ApiKeyError extends Error {
  constructor(
    readonly code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'AUTH_UNAVAILABLE' | 'NOT_FOUND' | 'CONFLICT',
    message: string,
    readonly retriable = false,
  ) {
    super(message);
    this.name = 'ApiKeyError';
  }
}
