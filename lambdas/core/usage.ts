/**
 * Usage (spec section 7): a month's hour buckets folded into the usage answer. Pure: the store
 * reads the buckets and hands them over typed, oldest first.
 */
import { type AvtrzError, invalidParam } from './errors';
import type { KeyType } from './keys/format';
import { type KeyStatus, keyStatus } from './keys/status';
import { byCreation } from './keys/view';
import { monthOf } from './quota';
import type { KeyRecord } from './records';

/** One stored usage bucket of a workspace-month. */
export interface UsageBucket {
  /** the UTC hour it counts (`YYYY-MM-DDTHH:00:00Z`); undefined for the month's root, which counts nothing */
  hour: string | undefined;
  /** the workspace's month-to-date count when the bucket was last written */
  used: number;
  /** each key's count in this hour, by key id */
  keyCounts: Record<string, number>;
}

export interface HourCount {
  hour: string;
  count: number;
}

export interface UsageKey {
  id: string;
  type: KeyType;
  name: string;
  last4: string;
  status: KeyStatus;
  used: number;
  hourly: HourCount[];
}

export interface UsageResponse {
  workspace_id: string;
  month: string;
  monthly_quota: number;
  used: number;
  keys: UsageKey[];
}

/** A month's usage: the month-to-date count and each key's hourly series (ascending). */
export interface MonthUsage {
  used: number;
  hourly: Map<string, HourCount[]>;
}

/**
 * Fold a month's buckets (oldest first): `used` is the latest bucket's month-to-date count, each
 * bucket's key counts are the keys' counts in the bucket's hour. Undefined: no buckets.
 */
export function foldBuckets(buckets: readonly UsageBucket[]): MonthUsage | undefined {
  if (buckets.length === 0) return undefined;
  const counts = new Map<string, Map<string, number>>();
  for (const b of buckets) {
    if (b.hour === undefined) continue;
    for (const [keyId, raw] of Object.entries(b.keyCounts)) {
      const count = Number(raw);
      if (!Number.isFinite(count) || count <= 0) continue;
      const perHour = counts.get(keyId) ?? new Map<string, number>();
      perHour.set(b.hour, (perHour.get(b.hour) ?? 0) + count);
      counts.set(keyId, perHour);
    }
  }
  const hourly = new Map<string, HourCount[]>();
  for (const [keyId, perHour] of counts) {
    hourly.set(keyId, [...perHour].map(([hour, count]) => ({ hour, count })).sort(byHour));
  }
  const used = Number(buckets[buckets.length - 1].used ?? 0);
  return { used: Number.isFinite(used) ? used : 0, hourly };
}

function byHour(a: HourCount, b: HourCount): number {
  return a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : 0;
}

/**
 * The usage answer: every key of the workspace (also those without traffic), oldest first,
 * each with its hourly series (ascending, only hours with counts).
 */
export function shapeUsage(input: {
  workspace: { id: string; monthly_quota: number };
  month: string;
  usage: MonthUsage | undefined;
  keys: KeyRecord[];
  now: Date;
}): UsageResponse {
  const hourly = input.usage?.hourly ?? new Map<string, HourCount[]>();
  const keys = [...input.keys].sort(byCreation).map((k): UsageKey => {
    const series = hourly.get(k.id) ?? [];
    return {
      id: k.id,
      type: k.type,
      name: k.name,
      last4: k.last4,
      status: keyStatus(k, input.now),
      used: series.reduce((s, h) => s + h.count, 0),
      hourly: series,
    };
  });
  return {
    workspace_id: input.workspace.id,
    month: input.month,
    monthly_quota: input.workspace.monthly_quota,
    used: input.usage?.used ?? 0,
    keys,
  };
}

/** `400 invalid_request` naming `month`: what both usage routes answer when parseMonth refuses. */
export function invalidMonth(): AvtrzError {
  return invalidParam('month', 'month must be YYYY-MM, e.g. 2026-11.');
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `?month=YYYY-MM`; absent = the current UTC month. Returns undefined when malformed. */
export function parseMonth(raw: string | undefined, now: Date): string | undefined {
  if (raw === undefined) return monthOf(now);
  const m = MONTH_RE.exec(raw);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (year < 2000 || year > 2999) return undefined;
  return raw;
}
