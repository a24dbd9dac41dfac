import { CcompatHttpError } from './ccompat.client';
import {
  explainRegistrationFailure,
  REGISTRY_CLIENT_ID,
  SchemaRegistrationError,
} from './schema-registration.error';

/** What the client library throws for an HTTP answer: its client id, then the registry's message. */
function libraryError(status: number, message: string): Error {
  return Object.assign(new Error(`${REGISTRY_CLIENT_ID} - ${message}`), { name: 'ResponseError', status });
}

describe('explainRegistrationFailure', () => {
  it('names the subject, the rule and the registry message for a 409, and is final', () => {
    const said =
      'Incompatible artifact: s [JSON], list of diff types: [SUBSCHEMA_TYPE_CHANGED at /properties/value]';
    const err = explainRegistrationFailure(libraryError(409, said), 'metrics-events-value');
    expect(err).toMatchObject({ failure: 'incompatible', retriable: false, status: 409 });
    expect(err.message).toBe(
      'the schema registry refused the schema for subject "metrics-events-value": it is incompatible ' +
        `with the existing version(s) under BACKWARD compatibility. The registry says: ${said}`,
    );
  });

  it('treats an invalid schema as final, from the registry (422) or from the client compile', () => {
    expect(explainRegistrationFailure(new CcompatHttpError(422, 'bad', 42201), 's')).toMatchObject({
      failure: 'invalid',
      retriable: false,
    });
    const compile = Object.assign(new Error('unknown format'), {
      name: 'ConfluentSchemaRegistryArgumentError',
    });
    expect(explainRegistrationFailure(compile, 's')).toMatchObject({ failure: 'invalid', retriable: false });
  });

  it('retries when no answer came: refused connections, lookups, timeouts, 5xx', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), {
      name: 'TimeoutError',
    });
    for (const err of [
      libraryError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'),
      libraryError(400, 'Error, status 400: getaddrinfo EAI_AGAIN registry'),
      fetchFailed,
      timeout,
      libraryError(503, 'Service Unavailable'),
    ]) {
      expect(explainRegistrationFailure(err, 's')).toMatchObject({ failure: 'unavailable', retriable: true });
    }
    expect(explainRegistrationFailure(fetchFailed, 's').message).toContain('ECONNREFUSED');
  });

  it('does not retry other refusals, a plain 400 included', () => {
    for (const err of [libraryError(400, 'Bad Request'), libraryError(401, 'Unauthorized')]) {
      expect(explainRegistrationFailure(err, 's')).toMatchObject({ failure: 'refused', retriable: false });
    }
  });

  it('keeps an error it already explained', () => {
    const explained = new SchemaRegistrationError('s', 'incompatible', 'm', 409);
    expect(explainRegistrationFailure(explained, 'other')).toBe(explained);
  });
});
