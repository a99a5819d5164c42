/**
 * Issue 11 item 5: a `domain_blocked` answer says which host was refused and where to allow it,
 * and never echoes what the request sent unless it is a bounded, normalised host name.
 */
import { BLOCKED_HOST_MAX, blockedSiteName, domainVerdict, requestSite } from '../../../lambdas/core/domains';

const ref = { workspaceId: 'ws_abc', keyId: 'key_def' };
const refuse = (origin: string | undefined, referer?: string) => {
  const v = domainVerdict('publishable', ['app.example.com'], origin, referer, ref);
  if (v.allowed) throw new Error('expected a refusal');
  return v;
};

describe('domain_blocked names the refused host', () => {
  it('names the host from Origin, else Referer, and where to add it', () => {
    const v = refuse('https://Evil.Test');
    expect(v.site).toBe('evil.test');
    expect(v.error.code).toBe('domain_blocked');
    expect(v.error.message).toContain('Requests from evil.test');
    expect(v.error.message).toContain('Console → API Keys → Allowed domains');
    expect(v.error.message).toContain('npx avtrz keys update --workspace ws_abc --key key_def --domain');
    expect(refuse(undefined, 'https://shop.example.org/page?q=1').site).toBe('shop.example.org');
  });

  it('keeps a non-default port (the entry to add), drops 80 and 443', () => {
    expect(refuse('http://localhost:5173').site).toBe('localhost:5173');
    expect(refuse('http://other.test:80').site).toBe('other.test');
    expect(refuse('https://other.test:8443').site).toBe('other.test:8443');
  });

  it('normalises international names to punycode', () => {
    expect(refuse('https://bücher.example').site).toBe('xn--bcher-kva.example');
  });

  it('without Origin and Referer names Referrer-Policy, as before', () => {
    const v = refuse(undefined);
    expect(v.site).toBe('(none)');
    expect(v.error.message).toContain('Referrer-Policy');
  });

  it('reports an unusable or oversized site as (invalid), never echoing it', () => {
    const long = `https://${'a'.repeat(60)}.${'b'.repeat(60)}.test`;
    expect(requestSite(long, undefined).kind).toBe('host');
    for (const origin of ['null', 'javascript:alert(1)', 'https://x"y.test', long, 'https://<b>.test']) {
      const v = refuse(origin);
      expect(v.site).toBe('(invalid)');
      if (origin !== 'null') expect(v.error.message).not.toContain(origin);
      expect(v.error.message).toContain('Origin: null');
    }
  });

  it('only ever reports host-name characters, at most BLOCKED_HOST_MAX long', () => {
    const hostile = [
      'https://a%22b.test',
      'https://a\u202eb.test',
      "https://a'b.test",
      'https://a;b.test',
      'https://[::1]:99',
    ];
    for (const origin of hostile) {
      const name = blockedSiteName(requestSite(origin, undefined));
      expect(name.length).toBeLessThanOrEqual(BLOCKED_HOST_MAX);
      expect(name).toMatch(/^(\(none\)|\(invalid\)|[a-z0-9_.\-:[\]]+)$/);
    }
  });

  it('a secret key from a server (no headers) is still allowed', () => {
    expect(domainVerdict('secret', [], undefined, undefined).allowed).toBe(true);
  });
});
