/**
 * Raised when bytes, base64 or JSON do not hold a valid digest. Retrying with the same input cannot
 * help: the stored value is corrupt, truncated or of an unknown version.
 */
export class TDigestDecodeError extends Error {
  readonly retriable = false;

  constructor(message: string) {
    super(`t-digest decode: ${message}`);
    this.name = 'TDigestDecodeError';
  }
}
