/**
 * The terminal usage chart: one row per key, one column per hour (a unicode block sparkline,
 * scaled to the busiest key-hour in the window so rows compare), with the key's total for the
 * month and its count and share in the latest hour — so during a rotation the operator watches
 * traffic leave the old key and arrive on the new one — and, when requests were refused with
 * domain_blocked, a "blocked hosts" section naming the refused hosts per key, so "every image shows
 * initials" is answered by the host to add. Pure: the answer and the clock in, text out.
 */
import type { UsageKey, UsageResponse } from '../../lambdas/core/usage';

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ZERO = '·';
const HOUR = 3_600_000;

/** One character per count, 8 levels relative to `max`; zero is a dot so the axis stays visible. */
export function sparkline(counts: number[], max: number): string {
  return counts
    .map((c) => {
      if (c <= 0 || max <= 0) return ZERO;
      const level = Math.min(8, Math.max(1, Math.ceil((c / max) * 8)));
      return BLOCKS[level - 1];
    })
    .join('');
}

function monthBounds(month: string): { start: number; end: number } {
  const [y, m] = month.split('-').map(Number);
  return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) - HOUR };
}

/**
 * The hours shown: `hours` columns ending at the current hour (for the current month) or at the
 * month's last hour with traffic (past months), clamped to the month.
 */
export function chartWindow(u: UsageResponse, hours: number, now: Date): number[] {
  const { start, end } = monthBounds(u.month);
  const nowHour = Math.floor(now.getTime() / HOUR) * HOUR;
  let last = start;
  for (const k of u.keys) for (const h of k.hourly) last = Math.max(last, Date.parse(h.hour));
  let stop = nowHour >= start && nowHour <= end ? Math.max(nowHour, last) : last;
  stop = Math.min(Math.max(stop, start), end);
  const first = Math.max(start, stop - (hours - 1) * HOUR);
  const out: number[] = [];
  for (let t = first; t <= stop; t += HOUR) out.push(t);
  return out;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}
function padLeft(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}
function hourLabel(t: number): string {
  return `${new Date(t).toISOString().slice(0, 13).replace('T', ' ')}:00Z`;
}

export function renderUsageChart(u: UsageResponse, opts: { hours?: number; now?: Date } = {}): string {
  const hours = Math.max(1, Math.min(opts.hours ?? 24, 24 * 31));
  const now = opts.now ?? new Date();
  const window = chartWindow(u, hours, now);
  const rows = u.keys.map((k) => {
    const byHour = new Map(k.hourly.map((h) => [Date.parse(h.hour), h.count]));
    return { k, counts: window.map((t) => byHour.get(t) ?? 0) };
  });
  const max = Math.max(0, ...rows.flatMap((r) => r.counts));
  const lastTotal = rows.reduce((s, r) => s + r.counts[r.counts.length - 1], 0);
  const pct = u.monthly_quota > 0 ? ` (${((u.used / u.monthly_quota) * 100).toFixed(1)}%)` : '';
  const lines: string[] = [];
  lines.push(`workspace ${u.workspace_id}  month ${u.month}  used ${u.used} of ${u.monthly_quota}${pct}`);
  if (u.keys.length === 0) {
    lines.push('no keys');
    return `${lines.join('\n')}\n`;
  }
  const label = (k: UsageKey) => `${k.name} …${k.last4}`;
  const lw = Math.min(32, Math.max(8, ...u.keys.map((k) => label(k).length)));
  const sw = Math.max(7, ...u.keys.map((k) => k.status.length));
  // a short window (an empty or new month) must not cut the heading to "p"
  const cw = Math.max(window.length, 'per hour'.length);
  const head = `${pad('key', lw)}  ${pad('status', sw)}  ${pad('per hour', cw)}  ${padLeft('month', 8)}  ${padLeft('last h', 7)}  share`;
  lines.push(head);
  for (const { k, counts } of rows) {
    const lastCount = counts[counts.length - 1];
    const share = lastTotal > 0 ? `${Math.round((lastCount / lastTotal) * 100)}%` : '-';
    lines.push(
      `${pad(label(k), lw)}  ${pad(k.status, sw)}  ${pad(sparkline(counts, max), cw)}  ${padLeft(String(k.used), 8)}  ${padLeft(String(lastCount), 7)}  ${padLeft(share, 5)}`,
    );
  }
  const axisPad = ' '.repeat(lw + 2 + sw + 2);
  lines.push(`${axisPad}└ ${hourLabel(window[0])} … ${hourLabel(window[window.length - 1])}`);
  lines.push(
    `${axisPad}  1 column = 1 hour; ${max > 0 ? `█ = ${max} requests` : 'no requests in these hours'}`,
  );
  lines.push(...blockedSection(u, window, lw));
  return `${lines.join('\n')}\n`;
}

/** how many hosts per key the chart names (the JSON answer has them all) */
const BLOCKED_ROWS = 10;

/**
 * Requests refused with domain_blocked this month, per key: the busiest refused hosts with their
 * counts and last hour, and the key's blocked requests per hour over the chart's window. Nothing
 * when no key had any.
 */
export function blockedSection(u: UsageResponse, window: number[], lw: number): string[] {
  const keys = u.keys.filter((k) => (k.blocked ?? []).length > 0);
  if (keys.length === 0) return [];
  const lines = ['', 'blocked hosts (403 domain_blocked, not counted against the quota)'];
  const label = (k: UsageKey) => `${k.name} …${k.last4}`;
  for (const k of keys) {
    const hosts = k.blocked ?? [];
    const total = hosts.reduce((s, h) => s + h.count, 0);
    const byHour = new Map((k.blocked_hourly ?? []).map((h) => [Date.parse(h.hour), h.count]));
    const counts = window.map((t) => byHour.get(t) ?? 0);
    lines.push(
      `${pad(label(k), lw)}  ${k.id}  ${sparkline(counts, Math.max(0, ...counts))}  ${total} blocked`,
    );
    const hw = Math.min(48, Math.max(4, ...hosts.slice(0, BLOCKED_ROWS).map((h) => h.host.length)));
    for (const h of hosts.slice(0, BLOCKED_ROWS)) {
      lines.push(
        `  ${pad(h.host, hw)}  ${padLeft(String(h.count), 8)}  last ${hourLabel(Date.parse(h.last_seen))}`,
      );
    }
    if (hosts.length > BLOCKED_ROWS)
      lines.push(`  … ${hosts.length - BLOCKED_ROWS} more (--json lists them all)`);
  }
  const named = new Set(keys.flatMap((k) => (k.blocked ?? []).map((h) => h.host)));
  if (named.has('(none)')) {
    lines.push('(none): no Origin or Referer — a Referrer-Policy of no-referrer is the likely cause.');
  }
  if (named.has('(invalid)')) {
    lines.push(
      '(invalid): an Origin/Referer naming no usable host (Origin: null: file:// pages, sandboxed iframes).',
    );
  }
  if (named.has('(other)'))
    lines.push('(other): hosts not named (past 300 a month, or sharing a counter slot in an hour).');
  lines.push(
    'Add a host your pages use with: avtrz keys update --workspace … --key key_… --domain HOST (repeat --domain for every entry: the list is replaced).',
  );
  return lines;
}
