/**
 * The photo resolver in-process against a real provider stand-in on 127.0.0.1, DynamoDB Local
 * and s3rver: every provider behaviour ends in the right S3 object (checked with sharp) or the
 * initials fallback, and variants come from the stored original without a new provider lookup.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { s3Key } from '../../lambdas/core/object-keys';
import { profileId } from '../../lambdas/core/profile-id';
import type { ResolverResult } from '../../lambdas/core/resolver-contract';
import { createHandler } from '../../lambdas/resolver/handler';
import { freshSlug } from '../support/avatar-fixtures';
import { storedObject } from '../support/objects';
import { colourOf, expectPhotoColour, useProvider } from '../support/provider';
import { coldStart, store, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

const secret = process.env.AVTRZ_HMAC_SECRET as string;
const p = useProvider();

const profileOf = (slug: string) => `linkedin.com/in/${slug}`;

async function lookup(slug: string, size = 128, format = 'png'): Promise<ResolverResult & { id: string }> {
  const profile = profileOf(slug);
  const id = profileId(secret, profile);
  const res = await handler({ op: 'lookup', id, profile, size, format });
  return { ...res, id };
}

describe('lookup: provider photo → original + variant + record', () => {
  test.each([
    ['photo', 128, 'png'],
    ['json', 48, 'webp'],
    ['jsonrel', 16, 'jpeg'],
    ['redirect', 1024, 'jpeg'],
  ])('%s → exactly %i px square, %s, from the provider photo', async (kind, size, format) => {
    const slug = freshSlug(kind as string);
    const res = await lookup(slug, size as number, format as string);
    expect(res.record).toMatchObject({ id: res.id, kind: 'photo', profile: profileOf(slug) });
    expect(res.record.variants).toEqual([`${size}.${format}`]);
    expect(res.key).toBe(s3Key.variant(res.id, res.record.version, size as number, format as string));

    const obj = await storedObject(res.key as string);
    expect(obj.contentType).toBe(`image/${format}`);
    expect(obj.cacheControl).toBe('public, max-age=31536000, immutable');
    const meta = await sharp(obj.body).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([size, size, format]);
    await expectPhotoColour(obj.body, colourOf(slug));

    // the original is stored privately, and the version is derived from its bytes
    const original = await storedObject(s3Key.original(res.id, res.record.version));
    expect(original.contentType).toBe('image/jpeg');
    expect(original.cacheControl).toBe('private, no-store');
    expect(res.record.version).toBe(createHash('sha256').update(original.body).digest('hex').slice(0, 12));
    expect(await sharp(original.body).metadata()).toMatchObject({ width: 400, height: 300 });

    testRuntime.avatarCache.clear();
    expect(await store.avatars.getAvatar(res.id)).toMatchObject({
      kind: 'photo',
      version: res.record.version,
    });
  });

  test('a variant is rendered from the stored original without asking the provider again', async () => {
    const slug = freshSlug('photo');
    const first = await lookup(slug, 128, 'png');
    expect(p().hits.get(slug)).toBe(1);
    const profile = profileOf(slug);
    const v = await handler({
      op: 'variant',
      id: first.id,
      profile,
      version: first.record.version,
      size: 256,
      format: 'webp',
    });
    expect(p().hits.get(slug)).toBe(1);
    expect(v.key).toBe(s3Key.variant(first.id, first.record.version, 256, 'webp'));
    const obj = await storedObject(v.key as string);
    expect(obj.contentType).toBe('image/webp');
    expect(await sharp(obj.body).metadata()).toMatchObject({ width: 256, height: 256, format: 'webp' });
    await expectPhotoColour(obj.body, colourOf(slug));
    testRuntime.avatarCache.clear();
    expect(new Set((await store.avatars.getAvatar(first.id))?.variants)).toEqual(
      new Set(['128.png', '256.webp']),
    );
    // a lookup that finds the record already there (a concurrent request won) serves that record
    const again = await lookup(slug, 256, 'webp');
    expect(again.key).toBe(v.key);
    expect(again.record.version).toBe(first.record.version);
  });

  test('the same photo bytes under two profiles get the same version', async () => {
    const a = freshSlug('photo');
    const b = freshSlug('photo');
    p().setPhoto(b, colourOf(a));
    const [ra, rb] = [await lookup(a), await lookup(b)];
    expect(ra.record.version).toBe(rb.record.version);
    expect(ra.id).not.toBe(rb.id);
  });
});

describe('lookup: every refused or missing photo ends in the initials', () => {
  test.each([
    'nophoto', // 404
    'fail', // 500
    'huge', // 6 MB declared
    'stream', // 6 MB streamed without length
    'text', // text/html
    'svg', // image/svg+xml
    'garbage', // image/png that is not an image
    'bomb', // 20000×20000 PNG
    'jsonhttp', // image_url on another origin over http
    'jsonprivate', // image_url https to 10.1.2.3
    'jsondns', // image_url https to a name resolving to loopback
    'redirprivate', // 302 to the metadata address
    'redirdns', // 302 to a name resolving to loopback
    'loop', // endless redirects
  ])('%s', async (kind) => {
    const slug = freshSlug(kind);
    const canary = p().canaryConnections();
    const res = await lookup(slug, 128, 'png');
    expect(res.record).toMatchObject({ kind: 'initials' });
    expect(res.record.version).toMatch(/^i[0-9a-f]{12}$/);
    expect(res.key).toBe(s3Key.initials(res.id, res.record.version, 128));
    const obj = await storedObject(res.key as string);
    expect(obj.contentType).toBe('image/svg+xml');
    expect(obj.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(obj.body.toString()).toMatch(/^<svg /);
    expect(obj.body.toString()).not.toContain(slug);
    expect(p().hits.get(slug)).toBe(kind === 'loop' ? 4 : 1);
    expect(p().canaryConnections()).toBe(canary);
  });

  test('slow (past the 3 s deadline)', async () => {
    const slug = freshSlug('slow');
    const started = Date.now();
    const res = await lookup(slug);
    expect(res.record.kind).toBe('initials');
    // ends at the deadline, not when the provider would have answered (4 s)
    expect(Date.now() - started).toBeLessThan(3900);
  });

  test('no provider configured: initials for everyone, nobody asked', async () => {
    const env = { ...testRuntime.env };
    coldStart({ env: { ...env, AVTRZ_UPSTREAM_URL: undefined } });
    try {
      const slug = freshSlug('photo');
      const res = await lookup(slug);
      expect(res.record.kind).toBe('initials');
      expect(p().hits.get(slug)).toBeUndefined();
    } finally {
      coldStart({ env });
    }
  });
});
