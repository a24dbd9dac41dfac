import { serializeRequest } from './request.serializer';

describe('serializeRequest', () => {
  it('keeps method, path and harmless headers, and drops credentials wherever they travel', () => {
    const key = 'sm_0123abcd_' + 'f'.repeat(48);
    const out = serializeRequest({
      id: 7,
      method: 'GET',
      url: `/api/v1/services?api_key=${key}&x=1`,
      remoteAddress: '10.0.0.1',
      headers: { authorization: `Bearer ${key}`, 'x-api-key': key, cookie: `k=${key}`, 'user-agent': 'curl' },
      ...({ query: { api_key: key }, params: { key } } as object),
    });
    expect(out).toEqual({
      id: 7,
      method: 'GET',
      url: '/api/v1/services?[redacted]',
      remoteAddress: '10.0.0.1',
      headers: { 'user-agent': 'curl' },
    });
    expect(JSON.stringify(out)).not.toContain(key);
  });

  it('leaves a URL without a query string as it is', () => {
    expect(serializeRequest({ method: 'POST', url: '/metrics' }).url).toBe('/metrics');
  });
});
