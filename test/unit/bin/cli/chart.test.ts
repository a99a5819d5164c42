import { chartWindow, renderUsageChart, sparkline } from '../../../../bin/cli/chart';
import type { UsageResponse } from '../../../../lambdas/core/usage';

const usage: UsageResponse = {
  workspace_id: 'ws_AAAAAAAAAAAAAAAA',
  month: '2026-11',
  monthly_quota: 1000,
  used: 40,
  keys: [
    {
      id: 'key_old',
      type: 'secret',
      name: 'backend',
      last4: 'aaaa',
      status: 'revoked',
      used: 24,
      hourly: [
        { hour: '2026-11-28T10:00:00Z', count: 16 },
        { hour: '2026-11-28T11:00:00Z', count: 8 },
      ],
    },
    {
      id: 'key_new',
      type: 'secret',
      name: 'backend',
      last4: 'bbbb',
      status: 'active',
      used: 16,
      hourly: [
        { hour: '2026-11-28T11:00:00Z', count: 8 },
        { hour: '2026-11-28T12:00:00Z', count: 8 },
      ],
    },
    {
      id: 'key_idle',
      type: 'publishable',
      name: 'web',
      last4: 'cccc',
      status: 'active',
      used: 0,
      hourly: [],
    },
  ],
};

describe('usage chart', () => {
  it('sparkline scales to the max with 8 levels and dots for zero', () => {
    expect(sparkline([0, 1, 8, 4, 16], 16)).toBe('·▁▄▂█');
    expect(sparkline([0, 0], 0)).toBe('··');
  });

  it('window ends at the current hour in the current month, clamped to the month start', () => {
    const w = chartWindow(usage, 4, new Date('2026-11-28T13:20:00Z'));
    expect(w.map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-28T10:00:00.000Z',
      '2026-11-28T11:00:00.000Z',
      '2026-11-28T12:00:00.000Z',
      '2026-11-28T13:00:00.000Z',
    ]);
    const empty = { ...usage, keys: usage.keys.map((k) => ({ ...k, hourly: [] })) };
    expect(chartWindow(empty, 48, new Date('2026-11-01T01:00:00Z')).length).toBe(2);
    // a past month ends at its last hour with traffic
    const past = chartWindow(usage, 3, new Date('2027-01-05T00:00:00Z'));
    expect(new Date(past[past.length - 1]).toISOString()).toBe('2026-11-28T12:00:00.000Z');
  });

  it('draws one row per key showing traffic moving from the old key to the new one', () => {
    const text = renderUsageChart(usage, { hours: 3, now: new Date('2026-11-28T12:30:00Z') });
    const lines = text.split('\n');
    expect(lines[0]).toBe('workspace ws_AAAAAAAAAAAAAAAA  month 2026-11  used 40 of 1000 (4.0%)');
    const old = lines.find((l) => l.startsWith('backend …aaaa'));
    const neu = lines.find((l) => l.startsWith('backend …bbbb'));
    const idle = lines.find((l) => l.startsWith('web …cccc'));
    expect(old).toMatch(/revoked\s+█▄·\s+24\s+0\s+0%$/);
    expect(neu).toMatch(/active\s+·▄▄\s+16\s+8\s+100%$/);
    expect(idle).toMatch(/active\s+···\s+0\s+0\s+0%$/);
    expect(text).toContain('2026-11-28 10:00Z … 2026-11-28 12:00Z');
    expect(text).toContain('█ = 16 requests');
  });

  it('a month without traffic keeps the "per hour" heading whole and does not claim █ = 0 requests', () => {
    const empty = { ...usage, used: 0, keys: usage.keys.map((k) => ({ ...k, used: 0, hourly: [] })) };
    const text = renderUsageChart(empty, { hours: 24, now: new Date('2027-01-05T00:00:00Z') });
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^key\s+status\s+per hour\s+month\s+last h\s+share$/);
    // the rows stay aligned under the widened column
    const col = lines[1].indexOf('month');
    for (const l of lines.slice(2, 5)) expect(l.slice(col - 3, col + 5).trim()).toBe('0');
    expect(text).not.toContain('█ = 0');
    expect(text).toContain('no requests');
  });
});
