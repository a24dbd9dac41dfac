import {
  generateApiKey,
  hashApiKey,
  hasScope,
  keyPrefixOf,
  legacyHashOf,
  mayAccessService,
  parseScopes,
  pepperHash,
} from './api-key.format';
import { extractApiKey } from './api-key.extractor';

const PEPPER = 'unit-test-pepper-0123456789abcdef';

describe('api key format', () => {
  it('generates distinct keys whose prefix is their public part', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^sm_[0-9a-f]{8}_[0-9a-f]{48}$/);
    expect(a.key).not.toBe(b.key);
    expect(keyPrefixOf(a.key, PEPPER)).toBe(a.prefix);
    expect(hashApiKey(a.key, PEPPER)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('derives the prefix of a free-form key from its hash, never from the secret', () => {
    const p = keyPrefixOf('my-operator-chosen-secret', PEPPER);
    expect(p).toMatch(/^h[0-9a-f]{7}$/);
    expect('my-operator-chosen-secret').not.toContain(p.slice(1));
  });

  it('keys the hash with the pepper, and rewraps a pre-pepper hash into the same value', () => {
    const { key } = generateApiKey();
    expect(hashApiKey(key, PEPPER)).not.toBe(hashApiKey(key, PEPPER + 'x'));
    expect(hashApiKey(key, PEPPER)).not.toBe(legacyHashOf(key));
    expect(pepperHash(legacyHashOf(key), PEPPER)).toBe(hashApiKey(key, PEPPER));
  });

  it('binds a key to services only when it lists them', () => {
    expect(mayAccessService({ services: null }, 'a')).toBe(true);
    expect(mayAccessService({ services: ['a'] }, 'a')).toBe(true);
    expect(mayAccessService({ services: ['a'] }, 'b')).toBe(false);
  });

  it('parses scopes and rejects unknown ones', () => {
    expect(parseScopes('ingest, read,ingest')).toEqual(['ingest', 'read']);
    expect(() => parseScopes('ingest,write')).toThrow(/scopes/);
    expect(() => parseScopes('')).toThrow(/scopes/);
  });

  it('lets admin stand for every scope', () => {
    expect(hasScope({ scopes: ['admin'] }, 'ingest')).toBe(true);
    expect(hasScope({ scopes: ['read'] }, 'ingest')).toBe(false);
  });
});

describe('extractApiKey', () => {
  it('reads Bearer and X-API-Key headers', () => {
    expect(extractApiKey({ headers: { authorization: 'Bearer abc' } })).toBe('abc');
    expect(extractApiKey({ headers: { authorization: 'bearer  abc ' } })).toBe('abc');
    expect(extractApiKey({ headers: { 'x-api-key': 'xyz' } })).toBe('xyz');
    expect(extractApiKey({ headers: { authorization: 'Basic Zm9v' } })).toBeUndefined();
  });

  it('never reads a key from the URL (query strings reach access logs)', () => {
    const req = { headers: {}, url: '/ws?x=1&api_key=k1' };
    expect(extractApiKey(req)).toBeUndefined();
  });
});
