/**
 * store/photos.ts against DynamoDB Local and s3rver: every record update is conditioned on the
 * version the caller saw (a slow variant or refresh never overwrites a newer photo), and the
 * original round-trips privately.
 */

import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3Key } from '../../../lambdas/core/object-keys';
import type { AvatarRecord } from '../../../lambdas/core/records';
import { config, s3Client, store, testRuntime } from '../../support/runtime';

const newId = () => randomBytes(16).toString('hex');

async function stored(id: string): Promise<AvatarRecord> {
  testRuntime.avatarCache.clear();
  return (await store.avatars.getAvatar(id)) as AvatarRecord;
}

async function photo(id: string, version = 'aaaaaaaaaaaa'): Promise<AvatarRecord> {
  const rec: AvatarRecord = {
    id,
    profile: 'linkedin.com/in/store-test',
    version,
    kind: 'photo',
    variants: ['64.png'],
    fetched_at: '2026-01-01T00:00:00.000Z',
  };
  await store.avatars.putAvatarIfAbsent(rec);
  return rec;
}

test('addVariant adds to the set only while the version is the one seen', async () => {
  const id = newId();
  await photo(id);
  expect(await store.photos.addVariant(id, 'aaaaaaaaaaaa', '128.webp')).toBe(true);
  expect(await store.photos.addVariant(id, 'bbbbbbbbbbbb', '32.jpeg')).toBe(false);
  expect(new Set((await stored(id)).variants)).toEqual(new Set(['64.png', '128.webp']));
});

test('replaceAvatar replaces only the version it expected', async () => {
  const id = newId();
  const old = await photo(id);
  const next: AvatarRecord = { ...old, version: 'cccccccccccc', variants: [] };
  expect(await store.photos.replaceAvatar(next, 'bbbbbbbbbbbb')).toBe(false);
  expect((await stored(id)).version).toBe('aaaaaaaaaaaa');
  expect(await store.photos.replaceAvatar(next, 'aaaaaaaaaaaa')).toBe(true);
  const now = await stored(id);
  expect(now.version).toBe('cccccccccccc');
  expect(now.variants ?? []).toEqual([]);
});

test('markChecked sets checked_at (and fetched_at for the same photo) only on the version seen', async () => {
  const id = newId();
  await photo(id);
  expect(await store.photos.markChecked(id, 'bbbbbbbbbbbb', '2026-02-01T00:00:00.000Z', true)).toBe(false);
  expect((await stored(id)).checked_at).toBeUndefined();
  expect(await store.photos.markChecked(id, 'aaaaaaaaaaaa', '2026-02-01T00:00:00.000Z', false)).toBe(true);
  let rec = await stored(id);
  expect([rec.checked_at, rec.fetched_at]).toEqual(['2026-02-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
  expect(await store.photos.markChecked(id, 'aaaaaaaaaaaa', '2026-03-01T00:00:00.000Z', true)).toBe(true);
  rec = await stored(id);
  expect([rec.checked_at, rec.fetched_at]).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
});

test('a conditioned write on a record that does not exist is a refusal, not an error', async () => {
  expect(await store.photos.addVariant(newId(), 'aaaaaaaaaaaa', '64.png')).toBe(false);
});

test('the original round-trips, private and not cached; a missing one is undefined', async () => {
  const id = newId();
  const bytes = randomBytes(256);
  await store.photos.putOriginal(id, 'dddddddddddd', bytes, 'image/png');
  expect(await store.photos.getOriginal(id, 'dddddddddddd')).toEqual(bytes);
  expect(await store.photos.getOriginal(id, 'eeeeeeeeeeee')).toBeUndefined();
  const out = await (await s3Client()).send(
    new GetObjectCommand({ Bucket: config().bucketName, Key: s3Key.original(id, 'dddddddddddd') }),
  );
  expect([out.ContentType, out.CacheControl]).toEqual(['image/png', 'private, no-store']);
});
