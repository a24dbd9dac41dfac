import { securityHeaders } from './security.headers';

describe('securityHeaders', () => {
  it("are helmet's defaults with the app's CSP: no framing, no foreign scripts, nosniff", () => {
    const h = securityHeaders();
    expect(h['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(h['Content-Security-Policy']).toContain("script-src 'self'");
    expect(h['Content-Security-Policy']).not.toContain('upgrade-insecure-requests'); // no defaults
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['X-Frame-Options']).toBe('SAMEORIGIN');
    expect(h['Strict-Transport-Security']).toMatch(/^max-age=\d+/);
    expect(Object.keys(h)).not.toContain('X-Powered-By');
  });
});
