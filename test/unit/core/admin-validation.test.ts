import {
  adminWorkspace,
  parseKeyCreate,
  parseKeyUpdate,
  parseRoll,
  parseWorkspaceCreate,
  parseWorkspaceUpdate,
} from '../../../lambdas/core/admin-validation';
import { normaliseDomainEntry } from '../../../lambdas/core/domains';
import { AvtrzError } from '../../../lambdas/core/errors';
import { keyStatus } from '../../../lambdas/core/keys/status';
import { keyView } from '../../../lambdas/core/keys/view';
import { foldBuckets, parseMonth, shapeUsage } from '../../../lambdas/core/usage';

function errOf(fn: () => unknown): AvtrzError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AvtrzError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('admin validation', () => {
  it('refuses API keys in header or query before anything else', () => {
    const e = errOf(() =>
      adminWorkspace({ headers: { 'X-Api-Key': 'sk_live_x' }, pathParameters: { ws: 'bad' } }),
    );
    expect([e.status, e.code]).toEqual([403, 'forbidden']);
    expect(errOf(() => adminWorkspace({ queryStringParameters: { key: '' } })).code).toBe('forbidden');
    expect(errOf(() => adminWorkspace({ pathParameters: { ws: 'ws_short' } })).code).toBe('not_found');
    expect(adminWorkspace({ pathParameters: { ws: 'ws_0123456789abcdef' } })).toBe('ws_0123456789abcdef');
  });

  it('workspace create/update', () => {
    expect(parseWorkspaceCreate({ name: ' A ', monthly_quota: 0 })).toEqual({ name: 'A', monthly_quota: 0 });
    expect(errOf(() => parseWorkspaceCreate({ name: 'a\u0007', monthly_quota: 1 })).param).toBe('name');
    expect(errOf(() => parseWorkspaceCreate({ name: 'x'.repeat(101), monthly_quota: 1 })).param).toBe('name');
    expect(errOf(() => parseWorkspaceCreate({ name: 'a', monthly_quota: 1e13 })).param).toBe('monthly_quota');
    expect(errOf(() => parseWorkspaceCreate(null)).param).toBe('body');
    expect(parseWorkspaceUpdate({ monthly_quota: 7 })).toEqual({ monthly_quota: 7 });
    expect(errOf(() => parseWorkspaceUpdate({})).code).toBe('invalid_request');
  });

  it('key create normalises and dedupes domains; publishable needs one', () => {
    expect(
      parseKeyCreate(
        { type: 'publishable', name: 'w', allowed_domains: ['A.com', 'a.com', '*.B.com:8080'] },
        normaliseDomainEntry,
      ),
    ).toEqual({ type: 'publishable', name: 'w', allowed_domains: ['a.com', '*.b.com:8080'] });
    expect(parseKeyCreate({ type: 'secret', name: 's' }, normaliseDomainEntry).allowed_domains).toEqual([]);
    for (const allowed_domains of [
      [],
      ['*.com'],
      ['a.com/x'],
      ['http://a.com'],
      ['a.com:0'],
      ['a.com:99999'],
    ]) {
      const e = errOf(() =>
        parseKeyCreate({ type: 'publishable', name: 'w', allowed_domains }, normaliseDomainEntry),
      );
      expect([e.code, e.param]).toEqual(['invalid_request', 'allowed_domains']);
    }
    const many = Array.from({ length: 51 }, (_, i) => `h${i}.example.com`);
    expect(
      errOf(() => parseKeyCreate({ type: 'secret', name: 's', allowed_domains: many }, normaliseDomainEntry))
        .param,
    ).toBe('allowed_domains');
    // refused input is never echoed in the message
    const e = errOf(() =>
      parseKeyCreate({ type: 'secret', name: 's', allowed_domains: ['<script>'] }, normaliseDomainEntry),
    );
    expect(e.message).not.toContain('<script>');
    expect(parseKeyUpdate({ allowed_domains: [] }, normaliseDomainEntry)).toEqual({ allowed_domains: [] });
  });

  it('roll overlap', () => {
    expect(parseRoll(undefined)).toEqual({ overlap_seconds: 86400 });
    expect(parseRoll({})).toEqual({ overlap_seconds: 86400 });
    expect(parseRoll({ overlap_seconds: 0 })).toEqual({ overlap_seconds: 0 });
    expect(errOf(() => parseRoll({ overlap_seconds: 31_536_001 })).param).toBe('overlap_seconds');
  });
});

describe('usage shaping', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const base = {
    workspace_id: 'ws_a',
    type: 'secret' as const,
    name: 'n',
    last4: 'abcd',
    allowed_domains: [],
  };

  it('key status: revoked wins, expired at or after expires_at', () => {
    expect(keyStatus({}, now)).toBe('active');
    expect(keyStatus({ expires_at: '2026-11-28T12:00:01Z' }, now)).toBe('active');
    expect(keyStatus({ expires_at: '2026-11-28T12:00:00Z' }, now)).toBe('expired');
    expect(keyStatus({ expires_at: '2026-11-29T00:00:00Z', revoked_at: '2026-11-01T00:00:00Z' }, now)).toBe(
      'revoked',
    );
  });

  it('key view never carries key material', () => {
    const rec = { ...base, id: 'key_a', created_at: 'x', key_hash: 'deadbeef', key: 'sk_live_secret' };
    const v = keyView(rec, now, null);
    expect(JSON.stringify(v)).not.toMatch(/deadbeef|sk_live_secret/);
    expect(v.last_used_at).toBeNull();
    expect('last_used_at' in keyView(rec, now)).toBe(false);
  });

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
