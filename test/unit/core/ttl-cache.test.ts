import { TtlCache } from '../../../lambdas/core/ttl-cache';

describe('TtlCache', () => {
  it('expires entries, caches negatives, evicts least recently used', () => {
    let t = 0;
    const c = new TtlCache<string | null>(2, () => t);
    c.set('a', 'A', 1000);
    c.set('neg', null, 1000);
    expect(c.get('a')).toBe('A');
    expect(c.get('neg')).toBeNull();
    expect(c.get('missing')).toBeUndefined();
    c.get('a'); // a is now most recent
    c.set('b', 'B', 1000); // evicts neg
    expect(c.get('neg')).toBeUndefined();
    expect(c.get('a')).toBe('A');
    expect(c.size).toBe(2);
    t = 1000;
    expect(c.get('a')).toBeUndefined();
    c.set('z', 'Z', 0);
    expect(c.get('z')).toBeUndefined();
  });
});
