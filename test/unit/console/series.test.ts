/** The usage chart's data (console/src/series.ts) and the console's "3 min ago" (format.ts). */
import type { Usage } from '../../../console/src/api';
import { relative } from '../../../console/src/format';
import { chartSeries, stacked } from '../../../console/src/series';

const NOW = new Date('2026-12-01T12:02:30Z');
const usage = (withMinutely: boolean): Usage => ({
  workspace_id: 'ws_1',
  month: '2026-12',
  monthly_quota: 100,
  used: 9,
  keys: [
    {
      id: 'key_old',
      name: 'web',
      last4: 'aaaa',
      type: 'publishable',
      status: 'active',
      used: 5,
      hourly: [
        { hour: '2026-12-01T11:00:00Z', count: 4 },
        { hour: '2026-12-01T12:00:00Z', count: 1 },
      ],
      ...(withMinutely
        ? {
            minutely: [
              { time: '2026-12-01T11:50:00Z', count: 4 },
              { time: '2026-12-01T11:55:00Z', count: 1 },
            ],
          }
        : {}),
    },
    {
      id: 'key_new',
      name: 'web',
      last4: 'bbbb',
      type: 'publishable',
      status: 'active',
      used: 4,
      hourly: [{ hour: '2026-12-01T12:00:00Z', count: 4 }],
      ...(withMinutely
        ? {
            minutely: [
              { time: '2026-12-01T11:55:00Z', count: 1 },
              { time: '2026-12-01T12:00:00Z', count: 3 },
            ],
          }
        : {}),
    },
  ],
});

test('5-minute points for 48 h without gaps show the switch-over from the old key to the new', () => {
  const s = chartSeries(usage(true), '5min', NOW);
  expect(s.grain).toBe('5min');
  expect(s.times).toHaveLength(48 * 12);
  expect(s.times.at(-1)).toBe(Date.parse('2026-12-01T12:00:00Z') / 1000);
  const [old, next] = s.keys;
  expect(old.counts.slice(-3)).toEqual([4, 1, 0]);
  expect(next.counts.slice(-3)).toEqual([0, 1, 3]);
  expect([old.total, next.total]).toEqual([5, 4]);
  // stacked: the top line is the total per bucket
  expect(stacked(s).map((row) => row.slice(-3))).toEqual([
    [4, 1, 0],
    [4, 2, 3],
  ]);
});

test('the month is hourly from its first hour; an API without 5-minute points falls back to hours', () => {
  const month = chartSeries(usage(true), 'hour', NOW);
  expect(month.times[0]).toBe(Date.parse('2026-12-01T00:00:00Z') / 1000);
  expect(month.times).toHaveLength(13);
  expect(month.keys[1].counts.at(-1)).toBe(4);
  const fallback = chartSeries(usage(false), '5min', NOW);
  expect(fallback.grain).toBe('hour');
  expect(fallback.times).toHaveLength(48);
  expect(fallback.keys[0].counts.slice(-2)).toEqual([4, 1]);
});

test('only the keys asked for', () => {
  expect(chartSeries(usage(true), '5min', NOW, ['key_new']).keys.map((k) => k.id)).toEqual(['key_new']);
});

test('last used as "3 min ago"', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  expect(relative('2026-12-01T11:57:00Z', now)).toBe('3 min ago');
  expect(relative('2026-12-01T11:59:50Z', now)).toBe('just now');
  expect(relative('2026-12-01T09:00:00Z', now)).toBe('3 h ago');
  expect(relative('2026-11-28T12:00:00Z', now)).toBe('3 d ago');
  expect(relative('2026-12-01T13:00:00Z', now)).toBe('in 1 h');
  expect(relative('2024-12-01T12:00:00Z', now)).toBe('2 y ago');
  expect(relative(null, now)).toBe('never');
});
