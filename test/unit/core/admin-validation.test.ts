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
