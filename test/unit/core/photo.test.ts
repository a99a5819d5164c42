/**
 * core/photo.ts: the variants-list entry and its inverse (a refresh regenerates exactly the
 * entries it can read back), the content-addressed version, and when a record is stale.
 */
import fc from 'fast-check';
import { isStale, parseVariantName, photoVersion, variantName } from '../../../lambdas/core/photo';
import { FORMATS, SIZES } from '../../../lambdas/core/size';

test('parseVariantName reads back every entry variantName writes', () => {
  for (const size of SIZES)
    for (const format of FORMATS)
      expect(parseVariantName(variantName(size, format))).toEqual({ size, format });
});

test.each(['128', '128.', '.webp', '128.gif', '128.svg', '12a.png', '128.webp.png', '-1.png', '1e2.png', ''])(
  'parseVariantName refuses %j',
  (name) => expect(parseVariantName(name)).toBeUndefined(),
);

test('photoVersion: 12 hex digits, the same for the same bytes, different for different bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
      expect(photoVersion(a)).toMatch(/^[0-9a-f]{12}$/);
      expect(photoVersion(Buffer.from(a))).toBe(photoVersion(a));
      if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0)
        expect(photoVersion(a)).not.toBe(photoVersion(b));
    }),
  );
});

test('isStale counts from the later of fetched_at and checked_at', () => {
  const now = Date.parse('2026-03-31T00:00:00Z');
  const old = '2026-01-01T00:00:00Z';
  const recent = '2026-03-20T00:00:00Z';
  expect(isStale({ fetched_at: old }, 30, now)).toBe(true);
  expect(isStale({ fetched_at: recent }, 30, now)).toBe(false);
  expect(isStale({ fetched_at: old, checked_at: recent }, 30, now)).toBe(false);
  expect(isStale({ fetched_at: recent, checked_at: old }, 30, now)).toBe(false);
  expect(isStale({}, 30, now)).toBe(true);
});
