/** core/photo.ts isDue: when a stored record is looked up again (spec section 3, "Freshness"). */
import { FAILURE_RETRY_MS, isDue, providerTag } from '../../../lambdas/core/photo';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const H = 3_600_000;
const D = 24 * H;
const provider = providerTag('https://photos.example/p?profile={profile}');
const policy = { refreshDays: 30, missRecheckHours: 24, provider };

test('providerTag: none without a provider; a hash that changes with the URL and does not show it', () => {
  expect(providerTag(undefined)).toBe('none');
  expect(provider).toMatch(/^p[0-9a-f]{12}$/);
  expect(providerTag('https://photos.example/p?profile={profile}&v=2')).not.toBe(provider);
});

test('"no photo" holds for missRecheckHours under the same provider', () => {
  const rec = { kind: 'initials' as const, fetched_at: ago(23 * H), provider };
  expect(isDue(rec, policy, NOW)).toBe(false);
  expect(isDue({ ...rec, fetched_at: ago(25 * H) }, policy, NOW)).toBe(true);
  expect(isDue({ ...rec, fetched_at: ago(3 * H) }, { ...policy, missRecheckHours: 2 }, NOW)).toBe(true);
  expect(isDue({ ...rec, fetched_at: ago(40 * D), checked_at: ago(H) }, policy, NOW)).toBe(false);
});

test('"no photo" made under another provider configuration, or none recorded, is due at once', () => {
  const rec = { kind: 'initials' as const, fetched_at: ago(1000) };
  expect(isDue({ ...rec, provider: 'none' }, policy, NOW)).toBe(true);
  expect(isDue({ ...rec, provider: providerTag('https://other.example/{profile}') }, policy, NOW)).toBe(true);
  expect(isDue(rec, policy, NOW)).toBe(true); // a record from before records named their provider
});

test('a failure is due after a minute, whatever the kind', () => {
  for (const kind of ['initials', 'photo'] as const) {
    const rec = { kind, fetched_at: ago(1000), provider };
    expect(isDue({ ...rec, failed_at: ago(FAILURE_RETRY_MS - 1) }, policy, NOW)).toBe(false);
    expect(isDue({ ...rec, failed_at: ago(FAILURE_RETRY_MS) }, policy, NOW)).toBe(true);
  }
  expect(FAILURE_RETRY_MS).toBe(60_000);
});

test('a photo holds for refreshDays, whatever the provider', () => {
  const rec = { kind: 'photo' as const, fetched_at: ago(29 * D), provider: 'none' };
  expect(isDue(rec, policy, NOW)).toBe(false);
  expect(isDue({ ...rec, fetched_at: ago(31 * D) }, policy, NOW)).toBe(true);
});
