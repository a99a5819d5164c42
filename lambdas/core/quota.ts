/** Quota arithmetic, its UTC calendar and headers (spec sections 3–4). Pure; the clock is passed in. */

/** `YYYY-MM` of a date, UTC */
export function monthOf(d: Date): string {
  return d.toISOString().slice(0, 7);
}
/** `DDHH` of a date, UTC (hour within the month) */
export function dayHourOf(d: Date): string {
  return d.toISOString().slice(8, 10) + d.toISOString().slice(11, 13);
}
/** start of the next UTC month, ISO: quotas reset then */
export function nextMonthStart(d: Date): string {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString();
}

export interface QuotaState {
  limit: number;
  used: number;
}

export function quotaHeaders(q: QuotaState, now: Date): Record<string, string> {
  return {
    'x-quota-limit': String(q.limit),
    'x-quota-remaining': String(Math.max(0, q.limit - q.used)),
    'x-quota-reset': nextMonthStart(now),
  };
}

/** Where a request made at `now` is counted. Months roll over at the UTC month start. */
export function usageSlot(now: Date): { month: string; dayHour: string } {
  return { month: monthOf(now), dayHour: dayHourOf(now) };
}

/**
 * The most budget shards a workspace may count on (docs/scaling.md): a shard is a counter item
 * with its own write limit; HOME's transactions and the end-of-quota scan read up to this many.
 */
export const MAX_SHARDS = 64;

/** the counter's window: requests are counted per workspace (and shard) per 5 minutes */
export const WINDOW_MS = 5 * 60_000;

/** Start of the 5-minute window (UTC) `d` falls in. */
export function windowStart(d: Date): Date {
  return new Date(Math.floor(d.getTime() / WINDOW_MS) * WINDOW_MS);
}

/** `DDHHmm` of the 5-minute window `now` falls in (mm = 00, 05, …, 55), with its month. */
export function windowOf(now: Date): { month: string; slot: string; start: Date } {
  const start = windowStart(now);
  const iso = start.toISOString();
  return { month: monthOf(start), slot: iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16), start };
}
