/** Small display helpers (no library: these are a few lines). */
const UNITS: [number, string][] = [
  [60, 's'],
  [60, 'min'],
  [24, 'h'],
  [30, 'd'],
  [12, 'mo'],
];

/** "3 min ago", "in 2 h", "just now". */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  let d = (Date.parse(iso) - now) / 1000;
  const future = d > 0;
  d = Math.abs(d);
  if (d < 45) return future ? 'in a moment' : 'just now';
  let unit = 'y';
  for (const [n, u] of UNITS) {
    if (d < n) {
      unit = u;
      break;
    }
    d /= n;
  }
  const r = `${Math.round(d)} ${unit}`;
  return future ? `in ${r}` : `${r} ago`;
}

export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '—');
export const num = (n: number) => n.toLocaleString('en-US');

/** First instant of the next UTC month: when the monthly quota resets. */
export function nextMonthStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

export const maskedKey = (type: string, last4: string) => `${type === 'secret' ? 'sk' : 'pk'}_live_…${last4}`;
