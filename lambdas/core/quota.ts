/** Quota arithmetic and headers (spec sections 3–4). Pure; the clock is passed in. */
import { dayHourOf, monthOf, nextMonthStart } from '../store/schema';

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
