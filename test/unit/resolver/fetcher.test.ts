/**
 * The guarded fetcher against a real HTTP server on 127.0.0.1 (test/support/provider.ts).
 * DNS answers that this machine cannot produce (a public name resolving to a private address,
 * mixed answers) are injected through the fetcher's `resolve` seam; everything else is real.
 */
import type dns from 'node:dns';
import { FetchRefused, guardedGet, guardedLookup } from '../../../lambdas/resolver/fetcher';
import { lookupPhoto } from '../../../lambdas/resolver/provider';
import { type Provider, startProvider } from '../../support/provider';

type Answer = { address: string; family: number }[];
const fakeDns = (answers: Record<string, Answer>) =>
  ((host: string, _o: unknown, cb: (e: Error | null, a?: Answer) => void) => {
    const a = answers[host];
    if (a) cb(null, a);
    else cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
  }) as unknown as typeof dns.lookup;

function lookupOnce(
  fn: ReturnType<typeof guardedLookup>,
  host: string,
  all: boolean,
): Promise<{ err: Error | null; address: unknown }> {
  return new Promise((resolve) =>
    fn(host, { all }, (err, address) => resolve({ err: err as Error | null, address })),
  );
}

describe('guardedLookup (the connect-time address check)', () => {
  const dnsAnswers = fakeDns({
    'public.example': [{ address: '93.184.216.34', family: 4 }],
    'rebind.example': [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ],
    'v6private.example': [{ address: 'fd00:ec2::254', family: 6 }],
    'mapped.example': [{ address: '::ffff:10.0.0.1', family: 6 }],
  });

  test('a public answer is handed over as the address to connect to', async () => {
    const fn = guardedLookup(dnsAnswers);
    expect(await lookupOnce(fn, 'public.example', false)).toEqual({ err: null, address: '93.184.216.34' });
    expect(await lookupOnce(fn, 'public.example', true)).toEqual({
      err: null,
      address: [{ address: '93.184.216.34', family: 4 }],
    });
  });

  test.each(['rebind.example', 'v6private.example', 'mapped.example'])(
    '%s (any non-public answer) is refused',
    async (host) => {
      const { err } = await lookupOnce(guardedLookup(dnsAnswers), host, false);
      expect(err).toBeInstanceOf(FetchRefused);
      expect((err as FetchRefused).reason).toBe('address');
    },
  );

  test('real DNS: localhost resolves to loopback and is refused', async () => {
    const { err } = await lookupOnce(guardedLookup(), 'localhost', false);
    expect((err as FetchRefused).reason).toBe('address');
  });
});

describe('guardedGet and the provider protocol against a real server', () => {
  let p: Provider;
  beforeAll(async () => {
    p = await startProvider();
  });
  afterAll(() => p.close());

  const get = (url: string, timeoutMs = 3000) =>
    guardedGet(url, { trustedOrigin: p.origin, signal: AbortSignal.timeout(timeoutMs) });
  const reason = (e: unknown) => (e as FetchRefused).reason;
  const profile = (slug: string) => `linkedin.com/in/${slug}`;

  test('a public-looking host name that resolves to loopback is refused before connecting', async () => {
    const before = p.canaryConnections();
    const err = await get(`https://localhost:${p.canaryPort}/x`).catch((e) => e);
    expect(reason(err)).toBe('address');
    expect(p.canaryConnections()).toBe(before);
  });

  test('the socket connects to the address the guarded lookup checked, not to a fresh resolution', async () => {
    // "localhost" would really resolve to the loopback canary; the injected resolver answers a
    // public address instead. The canary getting no connection shows that the checked answer is
    // the one connected to (that address is unreachable here, so the fetch fails as network/timeout).
    const before = p.canaryConnections();
    const err = await guardedGet(`https://localhost:${p.canaryPort}/x`, {
      trustedOrigin: p.origin,
      signal: AbortSignal.timeout(300),
      resolve: fakeDns({ localhost: [{ address: '93.184.216.34', family: 4 }] }),
    }).catch((e) => e);
    expect(['network', 'timeout']).toContain(reason(err));
    expect(p.canaryConnections()).toBe(before);
  });

  test('same-origin redirects are followed; a redirect loop stops after 3 hops', async () => {
    const ok = await get(`${p.origin}/photo?profile=${encodeURIComponent(profile('redirect-a'))}`);
    expect(ok.status).toBe(200);
    expect(ok.url.pathname).toBe('/img/redirect-a');
    const err = await get(`${p.origin}/photo?profile=${encodeURIComponent(profile('loop-a'))}`).catch(
      (e) => e,
    );
    expect(reason(err)).toBe('redirects');
    expect(p.hits.get('loop-a')).toBe(4);
  });

  test('a redirect to the metadata address is refused', async () => {
    const err = await get(`${p.origin}/photo?profile=${encodeURIComponent(profile('redirprivate-a'))}`).catch(
      (e) => e,
    );
    expect(reason(err)).toBe('address');
  });

  test('bodies over 5 MB are refused, declared or streamed', async () => {
    const declared = await get(`${p.origin}/photo?profile=${encodeURIComponent(profile('huge-a'))}`).catch(
      (e) => e,
    );
    expect(reason(declared)).toBe('too_large');
    const streamed = await get(`${p.origin}/photo?profile=${encodeURIComponent(profile('stream-a'))}`).catch(
      (e) => e,
    );
    expect(reason(streamed)).toBe('too_large');
  });

  test.each([
    ['photo-x', 'image'],
    ['json-x', 'image'],
    ['jsonrel-x', 'image'],
    ['redirect-x', 'image'],
    ['nophoto-x', 'not_found'],
    ['fail-x', 'provider_status'],
    ['jsonhttp-x', 'scheme'],
    ['jsonprivate-x', 'address'],
    ['jsondns-x', 'address'],
    ['redirprivate-x', 'address'],
    ['redirdns-x', 'address'],
    ['loop-x', 'redirects'],
    ['huge-x', 'too_large'],
    ['stream-x', 'too_large'],
    ['text-x', 'content_type'],
    ['svg-x', 'content_type'],
  ])('lookupPhoto(%s) → %s', async (slug, expected) => {
    const before = p.canaryConnections();
    const out = await lookupPhoto(p.template, profile(slug));
    expect(out.kind === 'image' ? 'image' : out.reason).toBe(expected);
    if (out.kind === 'image') expect(out.contentType).toBe('image/jpeg');
    expect(p.canaryConnections()).toBe(before);
  });

  test('a provider slower than the deadline ends as a timeout', async () => {
    const out = await lookupPhoto(p.template, profile('slow-x'), { timeoutMs: 500 });
    expect(out).toMatchObject({ kind: 'failed', reason: 'timeout' });
  });

  test('no provider configured: no photo, no request', async () => {
    expect(await lookupPhoto(undefined, profile('photo-y'))).toEqual({ kind: 'none', reason: 'no_provider' });
    expect(p.hits.get('photo-y')).toBeUndefined();
  });
});
