/**
 * The usage chart's data, pure: every key's counts on one time axis with no gaps (hourly for the
 * month, 5-minute for the last 48 hours), so a stack drawn from it is continuous and a rotation's
 * switch-over shows as one key's band shrinking while the other's grows.
 */
import type { Usage } from './api';

export type Grain = 'hour' | '5min';
export const STEP_S: Record<Grain, number> = { hour: 3600, '5min': 300 };

export interface ChartSeries {
  /** the grain drawn (hourly when 5-minute points were asked for but the API has none) */
  grain: Grain;
  /** epoch seconds, ascending, one every STEP_S[grain] */
  times: number[];
  keys: { id: string; label: string; counts: number[]; total: number }[];
}

function monthStart(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y, m - 1, 1) / 1000;
}

/** Points of each key on the grain's axis from `from` to `to` (epoch seconds). */
export function chartSeries(usage: Usage, wanted: Grain, now: Date, keyIds?: readonly string[]): ChartSeries {
  // an API without 5-minute points answers hourly ones only: the last 48 hours of those, then
  const grain: Grain =
    wanted === '5min' && usage.keys.every((k) => k.minutely === undefined) ? 'hour' : wanted;
  const last48h = wanted === '5min';
  const step = STEP_S[grain];
  const nowS = Math.floor(now.getTime() / 1000 / step) * step;
  const from = last48h ? nowS - 48 * 3600 + step : monthStart(usage.month);
  const to = last48h ? nowS : Math.min(nowS, monthStart(usage.month) + 31 * 86400);
  const times: number[] = [];
  for (let t = from; t <= to && times.length < 1000; t += step) times.push(t);
  const index = new Map(times.map((t, i) => [t, i]));
  const keys = usage.keys
    .filter((k) => !keyIds || keyIds.includes(k.id))
    .map((k) => {
      const counts = times.map(() => 0);
      const points =
        grain === 'hour' ? k.hourly.map((p) => ({ time: p.hour, count: p.count })) : (k.minutely ?? []);
      for (const p of points) {
        const t = Math.floor(Date.parse(p.time) / 1000 / step) * step;
        const i = index.get(t);
        if (i !== undefined) counts[i] += p.count;
      }
      return {
        id: k.id,
        label: `${k.name} (…${k.last4})`,
        counts,
        total: counts.reduce((a, b) => a + b, 0),
      };
    });
  return { grain, times, keys };
}

/** Running sums, bottom key first: what a stacked area chart draws. */
export function stacked(series: ChartSeries): number[][] {
  const acc = series.times.map(() => 0);
  return series.keys.map((k) => k.counts.map((c, i) => (acc[i] += c)));
}
