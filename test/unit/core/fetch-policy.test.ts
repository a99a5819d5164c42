import fc from 'fast-check';
import {
  checkUrl,
  classifyAddress,
  isAcceptedImageType,
  isJsonType,
  isPublicAddress,
  providerOrigin,
  providerUrl,
} from '../../../lambdas/core/fetch-policy';

describe('classifyAddress: IPv4', () => {
  test.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['169.254.0.1', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
    expect(isPublicAddress(ip)).toBe(false);
  });

  test.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '93.184.216.34',
  ])('%s is public', (ip) => expect(classifyAddress(ip)).toBe('public'));
});

describe('classifyAddress: IPv6', () => {
  test.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['0:0:0:0:0:ffff:169.254.169.254', 'metadata'],
    ['2001:db8:1:2:3:4:8.8.8.8', 'documentation'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['64:ff9b::7f00:1', 'translated'],
    ['2001:0:4136:e378::1', 'translated'],
    ['2002:7f00:0001::1', 'loopback'],
    ['2002:0a00:0001::1', 'private'],
    ['100::1', 'reserved'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
    expect(isPublicAddress(ip)).toBe(false);
  });

  test.each(['2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '2002:0808:0808::1', '::ffff:8.8.8.8'])(
    '%s is public',
    (ip) => expect(classifyAddress(ip)).toBe('public'),
  );

  test('anything that is not an IP literal is invalid, never public', () => {
    for (const s of ['', 'localhost', '1.2.3', '1.2.3.4.5', '::g', '256.1.1.1', 'example.com'])
      expect(classifyAddress(s)).toBe('invalid');
  });

  test('every IPv4-mapped IPv6 form agrees with its IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(classifyAddress(`::ffff:${ip}`)).toBe(classifyAddress(ip));
      }),
      { numRuns: 500 },
    );
  });
});

describe('checkUrl', () => {
  const trusted = 'http://127.0.0.1:8080';

  test('the provider origin is trusted as configured, plain http and loopback included', () => {
    const v = checkUrl('http://127.0.0.1:8080/img/a.jpg', undefined, trusted);
    expect(v).toMatchObject({ ok: true, trusted: true });
  });

  test('relative URLs resolve against the current one and stay trusted on the same origin', () => {
    const v = checkUrl('/img/a.jpg', 'http://127.0.0.1:8080/photo?x=1', trusted);
    expect(v.ok && v.url.href).toBe('http://127.0.0.1:8080/img/a.jpg');
    expect(v.ok && v.trusted).toBe(true);
  });

  test('the same host on another port or scheme is another origin', () => {
    expect(checkUrl('http://127.0.0.1:8081/x', undefined, trusted)).toEqual({ ok: false, reason: 'address' });
    expect(checkUrl('https://127.0.0.1:8080/x', undefined, trusted)).toEqual({
      ok: false,
      reason: 'address',
    });
    expect(checkUrl('http://localhost:8080/x', undefined, trusted)).toEqual({ ok: false, reason: 'scheme' });
  });

  test('other origins must be https', () => {
    expect(checkUrl('http://images.example.com/a.jpg', undefined, trusted)).toEqual({
      ok: false,
      reason: 'scheme',
    });
    expect(checkUrl('ftp://images.example.com/a.jpg', undefined, trusted)).toEqual({
      ok: false,
      reason: 'scheme',
    });
    expect(checkUrl('file:///etc/passwd', undefined, trusted)).toEqual({ ok: false, reason: 'scheme' });
    expect(checkUrl('https://images.example.com/a.jpg', undefined, trusted)).toMatchObject({
      ok: true,
      trusted: false,
    });
  });

  test('https to a non-public IP literal is refused, in every spelling the URL parser accepts', () => {
    for (const u of [
      'https://10.0.0.1/a',
      'https://169.254.169.254/latest/meta-data/',
      'https://[fd00:ec2::254]/',
      'https://[::ffff:127.0.0.1]/',
      'https://2130706433/',
      'https://0x7f.0.0.1/',
      'https://0177.0.0.1/',
      'https://127.1/',
      'https://[::1]:443/',
      'https://0/',
    ]) {
      expect([u, checkUrl(u, undefined, trusted)]).toEqual([u, { ok: false, reason: 'address' }]);
    }
  });

  test('credentials in an untrusted URL are refused', () => {
    expect(checkUrl('https://user:pw@images.example.com/a', undefined, trusted)).toEqual({
      ok: false,
      reason: 'credentials',
    });
  });

  test('malformed URLs are refused', () => {
    expect(checkUrl('https://', undefined, trusted)).toEqual({ ok: false, reason: 'malformed' });
    expect(checkUrl('not a url', undefined, undefined)).toEqual({ ok: false, reason: 'malformed' });
  });

  test('without a provider nothing is trusted', () => {
    expect(checkUrl('http://127.0.0.1:8080/x', undefined, undefined)).toEqual({
      ok: false,
      reason: 'address',
    });
    expect(checkUrl('http://images.example.com/x', undefined, undefined)).toEqual({
      ok: false,
      reason: 'scheme',
    });
  });
});

describe('provider template and content types', () => {
  test('{profile} is URL-encoded', () => {
    expect(providerUrl('https://p.example/photo?profile={profile}', 'linkedin.com/in/alex-rivera')).toBe(
      'https://p.example/photo?profile=linkedin.com%2Fin%2Falex-rivera',
    );
    expect(providerUrl('https://p.example/{profile}/x?q={profile}', 'linkedin.com/in/a&b')).toBe(
      'https://p.example/linkedin.com%2Fin%2Fa%26b/x?q=linkedin.com%2Fin%2Fa%26b',
    );
  });

  test('providerOrigin is scheme, host and port', () => {
    expect(providerOrigin('http://127.0.0.1:9999/p?profile={profile}')).toBe('http://127.0.0.1:9999');
    expect(providerOrigin('https://P.Example:443/{profile}')).toBe('https://p.example');
    expect(providerOrigin(undefined)).toBeUndefined();
  });

  test('only raster image/* types are accepted', () => {
    expect(isAcceptedImageType('image/jpeg')).toBe(true);
    expect(isAcceptedImageType('Image/PNG; charset=binary')).toBe(true);
    expect(isAcceptedImageType('image/webp')).toBe(true);
    expect(isAcceptedImageType('image/svg+xml')).toBe(false);
    expect(isAcceptedImageType('text/html')).toBe(false);
    expect(isAcceptedImageType('application/octet-stream')).toBe(false);
    expect(isAcceptedImageType(undefined)).toBe(false);
  });

  test('JSON answers: application/json and any +json type, parameters and case ignored', () => {
    expect(isJsonType('application/json')).toBe(true);
    expect(isJsonType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonType('application/vnd.provider+json')).toBe(true);
    expect(isJsonType('application/jsonp')).toBe(false);
    expect(isJsonType('text/plain; x=+json')).toBe(false);
    expect(isJsonType('')).toBe(false);
    expect(isJsonType(undefined)).toBe(false);
  });
});
