import {
  checkDomain,
  hostAllowed,
  isValidDomainEntry,
  normaliseDomainEntry,
  requestSite,
} from '../../../lambdas/core/domains';
import type { AvtrzError } from '../../../lambdas/core/errors';

function code(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as AvtrzError).code;
  }
}

describe('allow-list entries', () => {
  it.each([
    'example.com',
    'EXAMPLE.com',
    '*.example.com',
    'localhost',
    'localhost:5173',
    '127.0.0.1',
    '127.0.0.1:8080',
    'a-b.example.co.uk',
    '*.example.com:443',
  ])('accepts %s', (e) => expect(isValidDomainEntry(e)).toBe(true));

  it.each([
    '',
    'https://example.com',
    'example.com/path',
    '*.com',
    '*',
    '*.*.example.com',
    'ex*ample.com',
    'example.com:0',
    'example.com:65536',
    'example.com:080',
    '-bad.com',
    'bad-.com',
    'exa mple.com',
    'user@example.com',
    '999.1.1.1',
    '*.127.0.0.1',
    'example..com',
    '[::1]',
    42,
    null,
  ])('refuses %p', (e) => expect(isValidDomainEntry(e)).toBe(false));

  it('normalises case', () => {
    expect(normaliseDomainEntry(' App.Example.COM:3000 ')).toBe('app.example.com:3000');
  });
});

describe('request site', () => {
  it('prefers Origin over Referer, uses the default port of the scheme', () => {
    expect(requestSite('https://a.example.com', 'https://other.test/x')).toEqual({
      kind: 'host',
      host: 'a.example.com',
      port: 443,
    });
    expect(requestSite(undefined, 'http://LOCALHOST:5173/page?q=1')).toEqual({
      kind: 'host',
      host: 'localhost',
      port: 5173,
    });
    expect(requestSite(undefined, undefined)).toEqual({ kind: 'none' });
  });
  it('treats Origin: null and garbage as present but unusable', () => {
    expect(requestSite('null', undefined).kind).toBe('invalid');
    expect(requestSite(undefined, 'not a url').kind).toBe('invalid');
    expect(requestSite(undefined, 'file:///etc/passwd').kind).toBe('invalid');
    expect(requestSite(undefined, 'https://user:pw@example.com/').kind).toBe('invalid');
  });
});

describe('matching matrix', () => {
  const list = ['example.com', '*.apps.test', 'localhost:5173', '127.0.0.1'];
  it.each([
    ['example.com', 443, true],
    ['example.com', 8443, true],
    ['www.example.com', 443, false],
    ['badexample.com', 443, false],
    ['a.apps.test', 443, true],
    ['a.b.apps.test', 80, true],
    ['apps.test', 443, false],
    ['xapps.test', 443, false],
    ['localhost', 5173, true],
    ['localhost', 3000, false],
    ['127.0.0.1', 9999, true],
    ['127.0.0.2', 80, false],
    ['example.com.evil.test', 443, false],
  ] as const)('%s:%d → %p', (host, port, ok) => expect(hostAllowed(list, host, port)).toBe(ok));

  it('ignores invalid stored entries', () => {
    expect(hostAllowed(['*', 'https://example.com'], 'example.com', 443)).toBe(false);
  });
});

describe('checkDomain', () => {
  const allowed = ['example.com'];
  it('publishable: needs a header, and names Referrer-Policy when there is none', () => {
    let err: AvtrzError | undefined;
    try {
      checkDomain('publishable', allowed, undefined, undefined);
    } catch (e) {
      err = e as AvtrzError;
    }
    expect(err?.code).toBe('domain_blocked');
    expect(err?.status).toBe(403);
    expect(err?.message).toContain('Referrer-Policy');
    expect(code(() => checkDomain('publishable', allowed, 'https://example.com', undefined))).toBeUndefined();
    expect(
      code(() => checkDomain('publishable', allowed, undefined, 'https://example.com/')),
    ).toBeUndefined();
    expect(code(() => checkDomain('publishable', allowed, 'https://evil.test', undefined))).toBe(
      'domain_blocked',
    );
    expect(code(() => checkDomain('publishable', allowed, 'null', undefined))).toBe('domain_blocked');
  });
  it('secret: only checked when a header is present', () => {
    expect(code(() => checkDomain('secret', allowed, undefined, undefined))).toBeUndefined();
    expect(code(() => checkDomain('secret', [], undefined, undefined))).toBeUndefined();
    expect(code(() => checkDomain('secret', allowed, 'https://evil.test', undefined))).toBe('domain_blocked');
    expect(code(() => checkDomain('secret', allowed, undefined, 'https://example.com/x'))).toBeUndefined();
    expect(code(() => checkDomain('secret', allowed, 'null', undefined))).toBe('domain_blocked');
  });
});

describe('properties', () => {
  const fc = require('fast-check') as typeof import('fast-check');
  it('hostile Origin/Referer values never throw anything but domain_blocked, and never pass an empty list', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ maxLength: 60 })),
        fc.option(fc.string({ maxLength: 60 })),
        (o, r) => {
          for (const type of ['publishable', 'secret'] as const) {
            const c = code(() => checkDomain(type, [], o ?? undefined, r ?? undefined));
            const none = !o && !r;
            if (type === 'secret' && none) expect(c).toBeUndefined();
            else expect(c).toBe('domain_blocked');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
  it('a valid entry always matches its own host', () => {
    fc.assert(
      fc.property(fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 })), (d, port) => {
        const entry = port ? `${d}:${port}` : d;
        if (!isValidDomainEntry(entry)) return;
        expect(hostAllowed([entry], d.toLowerCase(), port ?? 443)).toBe(true);
        expect(hostAllowed([`*.${d}`], d.toLowerCase(), 443)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
