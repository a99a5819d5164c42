import sharp from 'sharp';
import { createHandler } from '../../lambdas/avatar/handler';
import { APP_ORIGIN, freshSlug, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { objectBehind } from '../support/objects';
import { colourOf, expectPhotoColour, useProvider } from '../support/provider';
import { RESOLVER_FUNCTION, useResolverLambda } from '../support/resolver-lambda';
import { coldStart, config, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

const p = useProvider();
let W: Awaited<ReturnType<typeof workspaceWithKeys>>;

beforeAll(async () => {
  W = await workspaceWithKeys(10_000);
});

const avatar = (slug: string, q: Record<string, string> = {}) =>
  invoke(handler, {
    query: { key: W.pk, linkedin_url: `linkedin.com/in/${slug}`, ...q },
    headers: APP_ORIGIN,
  });

async function expectPhoto(location: string, size: number, format: string, slug: string) {
  const obj = await objectBehind(location);
  expect(obj.contentType).toBe(`image/${format}`);
  expect(obj.cacheControl).toBe('public, max-age=31536000, immutable');
  const meta = await sharp(obj.body).metadata();
  expect([meta.width, meta.height, meta.format]).toEqual([size, size, format]);
  await expectPhotoColour(obj.body, colourOf(slug));
}

async function expectInitials(location: string) {
  expect(location).toMatch(/\/a\/[0-9a-f]{32}\/i[0-9a-f]{12}\/\d+\.svg$/);
  const obj = await objectBehind(location);
  expect(obj.contentType).toBe('image/svg+xml');
  // the stand-in stored by the avatar function when the resolver is unreachable is a CDN object too
  expect(obj.cacheControl).toBe('public, max-age=31536000, immutable');
  expect(obj.body.toString()).toMatch(/^<svg /);
}

function suite(name: string) {
  describe(name, () => {
    test.each([
      ['photo', '128', 'webp', 128],
      ['json', '100', 'png', 128],
      ['redirect', '500', 'jpeg', 512],
      ['jsonrel', '16', 'webp', 16],
    ])('%s: size=%s format=%s → 302 to exactly %i px square', async (kind, size, format, snapped) => {
      const slug = freshSlug(kind);
      const res = await avatar(slug, { size, format });
      expect(res.status).toBe(302);
      expect(res.headers.location).toMatch(new RegExp(`/${snapped}\\.${format}$`));
      await expectPhoto(res.headers.location, snapped, format, slug);
    });

    test.each([
      'nophoto',
      'fail',
      'huge',
      'stream',
      'text',
      'bomb',
      'jsonhttp',
      'jsonprivate',
      'jsondns',
      'redirprivate',
      'redirdns',
    ])('%s: 302 to the initials, never a 5xx', async (kind) => {
      const canary = p().canaryConnections();
      const res = await avatar(freshSlug(kind));
      expect(res.status).toBe(302);
      await expectInitials(res.headers.location);
      expect(p().canaryConnections()).toBe(canary);
    });

    test('fallback=404 when the provider has no photo', async () => {
      const res = await avatar(freshSlug('nophoto'), { fallback: '404', debug: '1' });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    });

    test('a new size of a known photo comes from the stored original; the known one needs no resolver', async () => {
      const slug = freshSlug('photo');
      const a = await avatar(slug, { size: '64', format: 'png' });
      expect(p().hits.get(slug)).toBe(1);
      testRuntime.avatarCache.clear(); // as on another warm instance: the record comes from DynamoDB
      const b = await avatar(slug, { size: '256', format: 'jpeg' });
      expect(b.status).toBe(302);
      await expectPhoto(b.headers.location, 256, 'jpeg', slug);
      // same version directory, no new provider lookup
      expect(b.headers.location.split('/').slice(0, -1)).toEqual(a.headers.location.split('/').slice(0, -1));
      expect(p().hits.get(slug)).toBe(1);
      const c = await avatar(slug, { size: '64', format: 'png' });
      expect(c.headers.location).toBe(a.headers.location);
      expect(p().hits.get(slug)).toBe(1);
    });
  });
}

suite('resolver in-process (AVTRZ_RESOLVER_FUNCTION unset)');

describe('resolver as a Lambda behind the local gateway (Invoke API, RequestResponse)', () => {
  useResolverLambda();

  test('a photo and a variant through the Invoke API', async () => {
    expect(config().resolverFunction).toBe(RESOLVER_FUNCTION);
    const slug = freshSlug('photo');
    const a = await avatar(slug, { size: '192', format: 'webp' });
    expect(a.status).toBe(302);
    await expectPhoto(a.headers.location, 192, 'webp', slug);
    testRuntime.avatarCache.clear();
    const b = await avatar(slug, { size: '32', format: 'png' });
    await expectPhoto(b.headers.location, 32, 'png', slug);
    expect(p().hits.get(slug)).toBe(1);
  });

  test('a refused photo through the Invoke API is the initials', async () => {
    const res = await avatar(freshSlug('redirprivate'));
    expect(res.status).toBe(302);
    await expectInitials(res.headers.location);
  });

  test('resolver function unknown to Lambda: the request still gets its initials', async () => {
    const env = { ...testRuntime.env };
    coldStart({ env: { ...env, AVTRZ_RESOLVER_FUNCTION: 'no-such-function' } });
    try {
      const slug = freshSlug('photo');
      const res = await avatar(slug);
      expect(res.status).toBe(302);
      await expectInitials(res.headers.location);
      expect(p().hits.get(slug)).toBeUndefined();
    } finally {
      coldStart({ env });
    }
  });
});
