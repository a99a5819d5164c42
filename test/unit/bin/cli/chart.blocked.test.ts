/**
 * Issue 11 item 5: `avtrz usage` shows the requests refused with domain_blocked, per key, naming
 * the hosts to add; nothing extra when there were none.
 */
import { renderUsageChart } from '../../../../bin/cli/chart';
import type { UsageKey, UsageResponse } from '../../../../lambdas/core/usage';

const base: UsageKey = {
  id: 'key_web',
  type: 'publishable',
  name: 'web',
  last4: 'wxyz',
  status: 'active',
  used: 5,
  hourly: [{ hour: '2026-11-28T11:00:00Z', count: 5 }],
};
const usage = (keys: UsageKey[]): UsageResponse => ({
  workspace_id: 'ws_AAAAAAAAAAAAAAAA',
  month: '2026-11',
  monthly_quota: 1000,
  used: 5,
  keys,
});
const now = new Date('2026-11-28T11:30:00Z');

describe('usage chart: blocked hosts', () => {
  it('lists each key’s refused hosts with counts and last hour, and how to allow one', () => {
    const hosts = [
      { host: 'staging.example.com', count: 41, last_seen: '2026-11-28T11:00:00Z' },
      { host: '(none)', count: 3, last_seen: '2026-11-28T10:00:00Z' },
      ...Array.from({ length: 11 }, (_, i) => ({
        host: `h${i}.test`,
        count: 1,
        last_seen: '2026-11-28T09:00:00Z',
      })),
    ];
    const text = renderUsageChart(
      usage([
        {
          ...base,
          blocked: hosts,
          blocked_hourly: [
            { hour: '2026-11-28T10:00:00Z', count: 3 },
            { hour: '2026-11-28T11:00:00Z', count: 41 },
          ],
        },
      ]),
      { hours: 4, now },
    );
    expect(text).toContain('blocked hosts (403 domain_blocked, not counted against the quota)');
    expect(text).toMatch(/web …wxyz\s+key_web\s+··▁█\s+55 blocked/);
    expect(text).toMatch(/staging\.example\.com\s+41\s+last 2026-11-28 11:00Z/);
    expect(text).toMatch(/\(none\)\s+3\s+last 2026-11-28 10:00Z/);
    expect(text).toContain('… 3 more (--json lists them all)');
    expect(text).toContain(
      '(none): no Origin or Referer — a Referrer-Policy of no-referrer is the likely cause.',
    );
    expect(text).toContain('avtrz keys update --workspace … --key key_… --domain HOST');
  });

  it('adds nothing when no request was blocked', () => {
    expect(renderUsageChart(usage([base]), { hours: 4, now })).not.toContain('blocked');
  });
});
