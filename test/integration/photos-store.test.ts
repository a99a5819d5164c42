/**
 * store/photos.ts against DynamoDB Local and s3rver: every record update is conditioned on the
 * version the caller saw (a slow variant or refresh never overwrites a newer photo), and the
 * original round-trips privately.
 */

import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { AvatarRecord } from '../../lambdas/core/records';
import { s3Client } from '../../lambdas/shared/clients';
import { config } from '../../lambdas/shared/config';
import { clearAvatarCache, getAvatar, putAvatarIfAbsent } from '../../lambdas/store/avatars';
import { addVariant, getOriginal, markChecked, putOriginal, replaceAvatar } from '../../lambdas/store/photos';
import { s3Key } from '../../lambdas/store/schema';

const newId = () => randomBytes(16).toString('hex');

async function stored(id: string): Promise<AvatarRecord> {
  clearAvatarCache();
  return (await getAvatar(id)) as AvatarRecord;
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
  await putAvatarIfAbsent(rec);
  return rec;
}

test('addVariant adds to the set only while the version is the one seen', async () => {
  const id = newId();
  await photo(id);
  expect(await addVariant(id, 'aaaaaaaaaaaa', '128.webp')).toBe(true);
  expect(await addVariant(id, 'bbbbbbbbbbbb', '32.jpeg')).toBe(false);
  expect(new Set((await stored(id)).variants)).toEqual(new Set(['64.png', '128.webp']));
});

test('replaceAvatar replaces only the version it expected', async () => {
  const id = newId();
  const old = await photo(id);
  const next: AvatarRecord = { ...old, version: 'cccccccccccc', variants: [] };
  expect(await replaceAvatar(next, 'bbbbbbbbbbbb')).toBe(false);
  expect((await stored(id)).version).toBe('aaaaaaaaaaaa');
  expect(await replaceAvatar(next, 'aaaaaaaaaaaa')).toBe(true);
  const now = await stored(id);
  expect(now.version).toBe('cccccccccccc');
  expect(now.variants ?? []).toEqual([]);
});

test('markChecked sets checked_at (and fetched_at for the same photo) only on the version seen', async () => {
  const id = newId();
  await photo(id);
  expect(await markChecked(id, 'bbbbbbbbbbbb', '2026-02-01T00:00:00.000Z', true)).toBe(false);
  expect((await stored(id)).checked_at).toBeUndefined();
  expect(await markChecked(id, 'aaaaaaaaaaaa', '2026-02-01T00:00:00.000Z', false)).toBe(true);
  let rec = await stored(id);
  expect([rec.checked_at, rec.fetched_at]).toEqual(['2026-02-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
  expect(await markChecked(id, 'aaaaaaaaaaaa', '2026-03-01T00:00:00.000Z', true)).toBe(true);
  rec = await stored(id);
  expect([rec.checked_at, rec.fetched_at]).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
});

test('a conditioned write on a record that does not exist is a refusal, not an error', async () => {
  expect(await addVariant(newId(), 'aaaaaaaaaaaa', '64.png')).toBe(false);
});

test('the original round-trips, private and not cached; a missing one is undefined', async () => {
  const id = newId();
  const bytes = randomBytes(256);
  await putOriginal(id, 'dddddddddddd', bytes, 'image/png');
  expect(await getOriginal(id, 'dddddddddddd')).toEqual(bytes);
  expect(await getOriginal(id, 'eeeeeeeeeeee')).toBeUndefined();
  const out = await (await s3Client()).send(
    new GetObjectCommand({ Bucket: config().bucketName, Key: s3Key.original(id, 'dddddddddddd') }),
  );
  expect([out.ContentType, out.CacheControl]).toEqual(['image/png', 'private, no-store']);
});
