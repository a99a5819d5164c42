import { checksum, generateKey, hashKey, parseKey } from '../../../../lambdas/core/keys/format';

describe('key format', () => {
  it('generates keys of each type that pass the shape and checksum check', () => {
    const pk = generateKey('publishable');
    const sk = generateKey('secret');
    expect(pk).toMatch(/^pk_live_[0-9A-Za-z]{38}$/);
    expect(sk).toMatch(/^sk_live_[0-9A-Za-z]{38}$/);
    expect(parseKey(pk)).toBe('publishable');
    expect(parseKey(sk)).toBe('secret');
  });

  it('refuses a key with one character changed (checksum)', () => {
    const k = generateKey('publishable');
    const i = 12;
    const flipped = k.slice(0, i) + (k[i] === 'a' ? 'b' : 'a') + k.slice(i + 1);
    expect(parseKey(flipped)).toBeUndefined();
    expect(parseKey(`${k}x`)).toBeUndefined();
    expect(parseKey('pk_live_7f3e21bc94aa')).toBeUndefined();
  });

  it('checksum is deterministic base62 of length 6 and hash is sha256 hex', () => {
    expect(checksum('pk_live_abc')).toBe(checksum('pk_live_abc'));
    expect(checksum('pk_live_abc')).toMatch(/^[0-9A-Za-z]{6}$/);
    expect(hashKey('x')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
  });
});
