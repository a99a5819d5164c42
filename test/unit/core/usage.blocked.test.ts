/**
 * Issue 11 item 5: folding a month's blocked-hour items (core/usage.ts) — per key, per hour, per
 * refused host; a slot two hosts shared is "(other)", never the wrong name; at most
 * BLOCKED_HOSTS_SHOWN hosts are named per key.
 */
import {
  BLOCKED_HOSTS_SHOWN,
  BLOCKED_OTHER,
  type BlockedHourItem,
  blockedSlot,
  foldBlocked,
} from '../../../lambdas/core/usage';

/** what the counter leaves in one hour item after these refusals, by the store's rules */
function hourItem(keyId: string, hour: string, sites: string[]): BlockedHourItem {
  const slots = new Map<number, { name: string; count: number; sum: number }>();
  for (const site of sites) {
    const { slot, fingerprint } = blockedSlot(site);
    const s = slots.get(slot) ?? { name: site, count: 0, sum: 0 };
    s.count += 1;
    s.sum += fingerprint;
    slots.set(slot, s);
  }
  return { keyId, hour, total: sites.length, slots: [...slots.values()] };
}

/** two different hosts that share a slot */
function collidingPair(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const h = `h${i}.test`;
    const { slot } = blockedSlot(h);
    const other = seen.get(slot);
    if (other) return [other, h];
    seen.set(slot, h);
  }
}

describe('foldBlocked', () => {
  it('counts per key, per hour and per host, busiest host first', () => {
    const out = foldBlocked([
      hourItem('key_a', '2026-11-01T09:00:00Z', ['evil.test', 'evil.test', '(none)']),
      hourItem('key_a', '2026-11-01T10:00:00Z', ['evil.test']),
      hourItem('key_b', '2026-11-01T10:00:00Z', ['localhost:5173']),
    ]);
    expect(out.get('key_a')).toEqual({
      hosts: [
        { host: 'evil.test', count: 3, last_seen: '2026-11-01T10:00:00Z' },
        { host: '(none)', count: 1, last_seen: '2026-11-01T09:00:00Z' },
      ],
      hourly: [
        { hour: '2026-11-01T09:00:00Z', count: 3 },
        { hour: '2026-11-01T10:00:00Z', count: 1 },
      ],
    });
    expect(out.get('key_b')?.hosts).toEqual([
      { host: 'localhost:5173', count: 1, last_seen: '2026-11-01T10:00:00Z' },
    ]);
  });

  it('a slot two hosts shared in an hour is counted as (other), under neither name', () => {
    const [a, b] = collidingPair();
    const out = foldBlocked([
      hourItem('key_a', '2026-11-01T09:00:00Z', [a, a, b]),
      hourItem('key_a', '2026-11-01T10:00:00Z', [b]),
    ]);
    expect(out.get('key_a')?.hosts).toEqual([
      { host: b, count: 1, last_seen: '2026-11-01T10:00:00Z' },
      { host: BLOCKED_OTHER, count: 3, last_seen: '2026-11-01T09:00:00Z' },
    ]);
  });

  it(`names at most ${BLOCKED_HOSTS_SHOWN} hosts per key; the rest count under (other)`, () => {
    const items: BlockedHourItem[] = [];
    for (let i = 0; i < 400; i++) {
      const hour = `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z`;
      items.push({
        keyId: 'key_a',
        hour,
        total: 1,
        slots: [{ name: `h${i}.test`, count: 1, sum: blockedSlot(`h${i}.test`).fingerprint }],
      });
    }
    const hosts = foldBlocked(items).get('key_a')?.hosts ?? [];
    expect(hosts).toHaveLength(BLOCKED_HOSTS_SHOWN + 1);
    expect(hosts[hosts.length - 1]).toMatchObject({ host: BLOCKED_OTHER, count: 100 });
    expect(hosts.reduce((s, h) => s + h.count, 0)).toBe(400);
  });
});
