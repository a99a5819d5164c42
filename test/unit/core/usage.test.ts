import { foldBuckets, parseMonth, shapeUsage } from '../../../lambdas/core/usage';

describe('usage shaping', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const base = {
    workspace_id: 'ws_a',
    type: 'secret' as const,
    name: 'n',
    last4: 'abcd',
    allowed_domains: [],
  };

  it('shapes the usage answer: every key oldest first, its hours summed, its status', () => {
    const u = shapeUsage({
      workspace: { id: 'ws_a', monthly_quota: 100 },
      month: '2026-11',
      usage: foldBuckets([
        { hour: '2026-11-01T00:00:00Z', used: 3, keyCounts: { key_a: 3 } },
        { hour: '2026-11-01T09:00:00Z', used: 5, keyCounts: { key_a: 2 } },
        { hour: '2026-11-28T22:00:00Z', used: 5, keyCounts: { key_b: 0 } },
        { hour: '2026-11-28T23:00:00Z', used: 9, keyCounts: { key_b: 4 } },
      ]),
      keys: [
        { ...base, id: 'key_b', created_at: '2026-11-02T00:00:00Z' },
        { ...base, id: 'key_a', created_at: '2026-11-01T00:00:00Z' },
        { ...base, id: 'key_c', created_at: '2026-11-03T00:00:00Z', revoked_at: '2026-11-04T00:00:00Z' },
      ],
      now,
    });
    expect(u.used).toBe(9);
    expect(u.keys.map((k) => [k.id, k.used, k.status])).toEqual([
      ['key_a', 5, 'active'],
      ['key_b', 4, 'active'],
      ['key_c', 0, 'revoked'],
    ]);
    expect(u.keys[1].hourly).toEqual([{ hour: '2026-11-28T23:00:00Z', count: 4 }]);
  });

  it('folds hour buckets: used from the latest bucket, key counts per bucket hour, the root counts nothing', () => {
    const u = foldBuckets([
      { hour: undefined, used: 0, keyCounts: {} },
      { hour: '2026-11-02T09:00:00Z', used: 4, keyCounts: { key_a: 4 } },
      { hour: '2026-11-02T10:00:00Z', used: 12, keyCounts: { key_a: 3, key_b: 1 } },
      { hour: '2026-11-03T01:00:00Z', used: 13, keyCounts: { key_b: 1 } },
    ]);
    expect(u?.used).toBe(13);
    expect(u?.hourly.get('key_a')).toEqual([
      { hour: '2026-11-02T09:00:00Z', count: 4 },
      { hour: '2026-11-02T10:00:00Z', count: 3 },
    ]);
    expect(u?.hourly.get('key_b')).toEqual([
      { hour: '2026-11-02T10:00:00Z', count: 1 },
      { hour: '2026-11-03T01:00:00Z', count: 1 },
    ]);
    expect(foldBuckets([])).toBeUndefined();
  });

  it('month parameter', () => {
    expect(parseMonth(undefined, now)).toBe('2026-11');
    expect(parseMonth('2025-01', now)).toBe('2025-01');
    for (const bad of ['2025-00', '2025-13', '1999-12', '2025-1', ' 2025-01', '2025-01\n']) {
      expect(parseMonth(bad, now)).toBeUndefined();
    }
  });
});
