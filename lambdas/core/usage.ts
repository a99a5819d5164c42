/**
 * Usage (spec section 7): a month's hour items folded into the usage answer, each key's 5-minute
 * points of a window in the last 48 hours (`?from=&to=`), and the requests
 * refused with `domain_blocked`, per key, hour and refused host. Pure: the store reads the items
 * and hands them over typed.
 */
import { createHash } from 'node:crypto';
import { type AvtrzError, invalidParam } from './errors';
import type { KeyType } from './keys/format';
import { type KeyStatus, keyStatus } from './keys/status';
import { byCreation } from './keys/view';
import { monthOf, windowStart } from './quota';
import type { KeyRecord } from './records';

/** One hour's per-key counts of a workspace-month (an hour item, or a bucket not rolled up yet). */
export interface UsageBucket {
  /** the UTC hour it counts (`YYYY-MM-DDTHH:00:00Z`); undefined for an item that counts nothing */
  hour: string | undefined;
  /** the workspace's month-to-date count when the item was last written (when it holds one) */
  used: number;
  /** each key's count in this hour, by key id */
  keyCounts: Record<string, number>;
}

export interface HourCount {
  hour: string;
  count: number;
}

/** One 5-minute point: the window's start (`YYYY-MM-DDTHH:mm:00Z`) and the key's count in it. */
export interface MinuteCount {
  time: string;
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
  /** 5-minute points of the asked window (ascending, only windows with counts); only when asked */
  minutely?: MinuteCount[];
  /** requests refused with domain_blocked this month, by refused host; only when there were any */
  blocked?: BlockedHost[];
  /** the same requests per hour (ascending); only when there were any */
  blocked_hourly?: HourCount[];
}

export interface UsageResponse {
  workspace_id: string;
  month: string;
  monthly_quota: number;
  used: number;
  /** the budget shards the workspace counts on (docs/scaling.md); always set by shapeUsage */
  shards?: number;
  /** the window the `minutely` series cover, after clamping to the last 48 hours; only when asked */
  minutely_window?: { from: string; to: string };
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
export function foldBuckets(buckets: readonly UsageBucket[], used?: number): MonthUsage | undefined {
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
  const total = Number(used ?? buckets[buckets.length - 1].used ?? 0);
  return { used: Number.isFinite(total) ? total : 0, hourly };
}

function byHour(a: HourCount, b: HourCount): number {
  return a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : 0;
}

/**
 * The usage answer: every key of the workspace (also those without traffic), oldest first,
 * each with its hourly series (ascending, only hours with counts).
 */
export function shapeUsage(input: {
  workspace: { id: string; monthly_quota: number; shards?: number };
  month: string;
  usage: MonthUsage | undefined;
  /** each key's 5-minute points, with the window they cover (absent: not asked; no window: empty) */
  minutely?: { window?: UsageWindow; points: Map<string, MinuteCount[]> };
  blocked?: Map<string, KeyBlocked>;
  keys: KeyRecord[];
  now: Date;
}): UsageResponse {
  const hourly = input.usage?.hourly ?? new Map<string, HourCount[]>();
  const keys = [...input.keys].sort(byCreation).map((k): UsageKey => {
    const series = hourly.get(k.id) ?? [];
    const key: UsageKey = {
      id: k.id,
      type: k.type,
      name: k.name,
      last4: k.last4,
      status: keyStatus(k, input.now),
      used: series.reduce((s, h) => s + h.count, 0),
      hourly: series,
    };
    if (input.minutely) key.minutely = input.minutely.points.get(k.id) ?? [];
    const blocked = input.blocked?.get(k.id);
    if (blocked && blocked.hosts.length > 0) {
      key.blocked = blocked.hosts;
      key.blocked_hourly = blocked.hourly;
    }
    return key;
  });
  const out: UsageResponse = {
    workspace_id: input.workspace.id,
    month: input.month,
    monthly_quota: input.workspace.monthly_quota,
    used: input.usage?.used ?? 0,
    shards: input.workspace.shards ?? 1,
    keys,
  };
  const w = input.minutely?.window;
  if (w) out.minutely_window = { from: isoSeconds(w.from), to: isoSeconds(w.to) };
  return out;
}

/*
 * The 5-minute window (`?from=…&to=…`). 5-minute points are kept for the last 48 hours
 * (store/usage-counter.ts BUCKET_TTL_S), so:
 *  - neither given: no `minutely` series (the answer is the month's, as before);
 *  - `to` defaults to now, `from` to 48 hours before `to`;
 *  - each must be an ISO 8601 date-time with a zone (`2026-11-28T14:05:00Z`, `…+01:00`), else
 *    400 invalid_request naming it; `from` after `to` → 400 naming `from`;
 *  - the window is clamped to [now − 48 h, now] and `from` rounded down to its 5-minute window;
 *    a point is each window whose start lies in [from, to]. A window entirely outside the last
 *    48 hours gives empty series and no `minutely_window`.
 */

/** how far back the 5-minute points go */
export const MINUTELY_SPAN_MS = 48 * 3600_000;

export interface UsageWindow {
  from: Date;
  to: Date;
}

const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(param: string, raw: string): Date {
  const t = DATE_TIME_RE.test(raw) ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(t)) {
    throw invalidParam(
      param,
      `${param} must be an ISO 8601 date-time with a zone, e.g. 2026-11-28T14:05:00Z.`,
    );
  }
  return new Date(t);
}

/**
 * The asked 5-minute window, clamped to the last 48 hours. Undefined: not asked (neither
 * parameter). `empty` when the clamped window holds no point. Throws 400 for bad parameters.
 */
export function parseWindow(
  rawFrom: string | undefined,
  rawTo: string | undefined,
  now: Date,
): { window: UsageWindow; empty: boolean } | undefined {
  if (rawFrom === undefined && rawTo === undefined) return undefined;
  const to = rawTo === undefined ? now : parseInstant('to', rawTo);
  const from =
    rawFrom === undefined ? new Date(to.getTime() - MINUTELY_SPAN_MS) : parseInstant('from', rawFrom);
  if (from > to) throw invalidParam('from', 'from must not be after to.');
  const lo = windowStart(new Date(Math.max(from.getTime(), now.getTime() - MINUTELY_SPAN_MS)));
  const hi = new Date(Math.min(to.getTime(), now.getTime()));
  return { window: { from: lo, to: hi }, empty: lo > hi };
}

/** `YYYY-MM-DDTHH:mm:ssZ`: the answer's instants, without milliseconds */
export function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/*
 * Blocked requests. A refused request of a known key is one unconditional UpdateItem on the item
 * of its key and hour (store/blocked-counter.ts), so the counter needs no read and no retry:
 *   n           requests refused in that hour
 *   h<ss>       the name of slot ss (00..31): the first refused host that hashed to it this hour
 *   c<ss>       requests counted in slot ss
 *   f<ss>       the sum of their hosts' fingerprints
 * A slot is one host's exactly when f = c × fingerprint(h); otherwise two hosts shared it that
 * hour and its count is reported under `(other)`, never under the wrong name. An item therefore
 * holds at most BLOCKED_SLOTS names (at most BLOCKED_HOST_MAX characters each), however many
 * hosts are refused; a month's answer names at most BLOCKED_HOSTS_SHOWN hosts per key, the
 * busiest, and counts the rest under `(other)`.
 */

export const BLOCKED_SLOTS = 32;
export const BLOCKED_HOSTS_SHOWN = 300;
/** hosts not named: past BLOCKED_HOSTS_SHOWN, or sharing a slot in an hour */
export const BLOCKED_OTHER = '(other)';
/** fingerprints are 1..2^20, so c × fingerprint stays exact in a double up to 2^33 requests */
const FINGERPRINT_BITS = 20;

/** Where a refused site is counted in an hour item, and the fingerprint that proves it is alone there. */
export function blockedSlot(site: string): { slot: number; fingerprint: number } {
  const h = createHash('sha256').update(site).digest();
  return { slot: h[0] % BLOCKED_SLOTS, fingerprint: (h.readUInt32BE(1) >>> (32 - FINGERPRINT_BITS)) + 1 };
}

/** `ss` of the attribute names h<ss>, c<ss>, f<ss> */
export function slotSuffix(slot: number): string {
  return String(slot).padStart(2, '0');
}

/** One stored hour item of a key's blocked requests. */
export interface BlockedHourItem {
  keyId: string;
  hour: string;
  total: number;
  slots: { name: string; count: number; sum: number }[];
}

export interface BlockedHost {
  /** the refused host (`host[:port]`), `(none)` (no Origin or Referer), `(invalid)` or `(other)` */
  host: string;
  count: number;
  /** the last hour it was refused in */
  last_seen: string;
}

export interface KeyBlocked {
  /** busiest first; `(other)` last */
  hosts: BlockedHost[];
  hourly: HourCount[];
}

/** Fold a month's blocked hour items into each key's hosts and hourly series. */
export function foldBlocked(items: readonly BlockedHourItem[]): Map<string, KeyBlocked> {
  const perKey = new Map<
    string,
    { hosts: Map<string, BlockedHost>; other: BlockedHost; hourly: Map<string, number> }
  >();
  const later = (a: string, b: string) => (a > b ? a : b);
  for (const it of items) {
    let k = perKey.get(it.keyId);
    if (!k) {
      k = { hosts: new Map(), other: { host: BLOCKED_OTHER, count: 0, last_seen: '' }, hourly: new Map() };
      perKey.set(it.keyId, k);
    }
    if (it.total > 0) k.hourly.set(it.hour, (k.hourly.get(it.hour) ?? 0) + it.total);
    let named = 0;
    for (const s of it.slots) {
      if (!(s.count > 0)) continue;
      named += s.count;
      if (s.sum === s.count * blockedSlot(s.name).fingerprint) {
        const h = k.hosts.get(s.name) ?? { host: s.name, count: 0, last_seen: it.hour };
        h.count += s.count;
        h.last_seen = later(h.last_seen, it.hour);
        k.hosts.set(s.name, h);
      } else {
        k.other.count += s.count;
        k.other.last_seen = later(k.other.last_seen, it.hour);
      }
    }
    // a request counted in `n` but in no slot (an interrupted write cannot do that; an outside edit could)
    if (it.total > named) {
      k.other.count += it.total - named;
      k.other.last_seen = later(k.other.last_seen, it.hour);
    }
  }
  const out = new Map<string, KeyBlocked>();
  for (const [keyId, k] of perKey) {
    const sorted = [...k.hosts.values()].sort((a, b) => b.count - a.count || (a.host < b.host ? -1 : 1));
    const shown = sorted.slice(0, BLOCKED_HOSTS_SHOWN);
    for (const h of sorted.slice(BLOCKED_HOSTS_SHOWN)) {
      k.other.count += h.count;
      k.other.last_seen = later(k.other.last_seen, h.last_seen);
    }
    if (k.other.count > 0) shown.push(k.other);
    const hourly = [...k.hourly].map(([hour, count]) => ({ hour, count })).sort(byHour);
    out.set(keyId, { hosts: shown, hourly });
  }
  return out;
}

/** `400 invalid_request` naming `month`: what both usage routes answer when parseMonth refuses. */
export function invalidMonth(): AvtrzError {
  return invalidParam('month', 'month must be YYYY-MM, e.g. 2026-11.');
}

/** `YYYY-MM`, years 2000–2999 (core/schemas/usage.ts documents the parameter with this pattern). */
export const MONTH_RE = /^2\d{3}-(0[1-9]|1[0-2])$/;

/** `?month=YYYY-MM`; absent = the current UTC month. Returns undefined when malformed. */
export function parseMonth(raw: string | undefined, now: Date): string | undefined {
  if (raw === undefined) return monthOf(now);
  return MONTH_RE.test(raw) ? raw : undefined;
}
