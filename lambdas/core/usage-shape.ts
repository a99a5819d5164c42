/**
 * Usage (spec section 7) and key views (section 8): turn stored records and a month's usage
 * buckets into API responses. Pure functions, no AWS imports.
 */
import { bucketHour } from '../store/schema';
import { type AvtrzError, invalidParam } from './errors';
import type { KeyType } from './keys';
import { monthOf } from './quota';
import type { KeyRecord } from './records';

export type KeyStatus = 'active' | 'expired' | 'revoked';

/** Revoked wins over expired; an expiry in the past (or now) is expired. */
export function keyStatus(k: Pick<KeyRecord, 'revoked_at' | 'expires_at'>, now: Date): KeyStatus {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && Date.parse(k.expires_at) <= now.getTime()) return 'expired';
  return 'active';
}

/** The stored key's public fields, its status, and its timestamps as null when unset. */
export interface KeyView
  extends Pick<
    KeyRecord,
    'id' | 'workspace_id' | 'type' | 'name' | 'last4' | 'allowed_domains' | 'created_at'
  > {
  status: KeyStatus;
  exposed_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at?: string | null;
}

/** The key as every management response shows it: never the key, never the hash. */
export function keyView(k: KeyRecord, now: Date, lastUsedAt?: string | null): KeyView {
  const v: KeyView = {
    id: k.id,
    workspace_id: k.workspace_id,
    type: k.type,
    name: k.name,
    last4: k.last4,
    allowed_domains: [...k.allowed_domains],
    status: keyStatus(k, now),
    created_at: k.created_at,
    exposed_at: k.exposed_at ?? null,
    expires_at: k.expires_at ?? null,
    revoked_at: k.revoked_at ?? null,
  };
  if (lastUsedAt !== undefined) v.last_used_at = lastUsedAt;
  return v;
}

/** The create / roll answer: the only place the full key appears. */
export function createdKeyView(k: KeyRecord, key: string) {
  return {
    id: k.id,
    workspace_id: k.workspace_id,
    type: k.type,
    name: k.name,
    key,
    last4: k.last4,
    allowed_domains: [...k.allowed_domains],
    status: 'active' as const,
    created_at: k.created_at,
  };
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

const HOURLY_ATTR = /^h_(.+)_(\d{2})(\d{2})$/;
const KEY_COUNT_ATTR = /^k_(.+)$/;

/** Per-key hourly counts from a legacy usage-month item's `h_<keyid>_<DDHH>` attributes. */
export function hourlyByKey(
  item: Record<string, unknown> | undefined,
  month: string,
): Map<string, HourCount[]> {
  const out = new Map<string, HourCount[]>();
  if (!item) return out;
  for (const [attr, value] of Object.entries(item)) {
    const m = HOURLY_ATTR.exec(attr);
    if (!m) continue;
    const count = Number(value);
    if (!Number.isFinite(count) || count <= 0) continue;
    const list = out.get(m[1]) ?? [];
    list.push({ hour: `${month}-${m[2]}T${m[3]}:00:00Z`, count });
    out.set(m[1], list);
  }
  for (const list of out.values()) list.sort(byHour);
  return out;
}

/** A month's usage: the month-to-date count and each key's hourly series (ascending). */
export interface MonthUsage {
  used: number;
  hourly: Map<string, HourCount[]>;
}

/**
 * Fold a month's buckets (items with their `sk`, any order): `used` is the latest bucket's
 * month-to-date count, each bucket's `k_<keyid>` is the key's count in the bucket's hour. A legacy
 * month item (sk without an hour) contributes its `h_<keyid>_<DDHH>` counts. Undefined: no items.
 */
export function foldBuckets(items: Record<string, unknown>[], month: string): MonthUsage | undefined {
  if (items.length === 0) return undefined;
  const sorted = [...items].sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
  const counts = new Map<string, Map<string, number>>();
  const add = (keyId: string, hour: string, count: number) => {
    if (!Number.isFinite(count) || count <= 0) return;
    const perHour = counts.get(keyId) ?? new Map<string, number>();
    perHour.set(hour, (perHour.get(hour) ?? 0) + count);
    counts.set(keyId, perHour);
  };
  for (const item of sorted) {
    const hour = bucketHour(String(item.sk));
    if (hour === undefined) {
      for (const [keyId, list] of hourlyByKey(item, month)) for (const h of list) add(keyId, h.hour, h.count);
      continue;
    }
    for (const [attr, value] of Object.entries(item)) {
      const m = KEY_COUNT_ATTR.exec(attr);
      if (m) add(m[1], hour, Number(value));
    }
  }
  const hourly = new Map<string, HourCount[]>();
  for (const [keyId, perHour] of counts) {
    hourly.set(keyId, [...perHour].map(([hour, count]) => ({ hour, count })).sort(byHour));
  }
  const used = Number(sorted[sorted.length - 1].used ?? 0);
  return { used: Number.isFinite(used) ? used : 0, hourly };
}

/** Keys in the order every answer lists them: oldest first, ties by id. */
export function byCreation(
  a: { created_at: string; id: string },
  b: { created_at: string; id: string },
): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1;
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
