/**
 * The initials object behind a 302 is drawn at the requested size (spec section 3: "whose
 * `width`/`height` are the requested `size`"): one immutable object per size, through every way
 * an initials URL is made (first lookup, a known profile at another size, the batch).
 */
import { createHandler as avatarHandler } from '../../lambdas/avatar/handler';
import { createHandler as batchHandler } from '../../lambdas/batch/handler';
import { APP_ORIGIN, freshSlug, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { objectBehind } from '../support/objects';
import { useProvider } from '../support/provider';
import { testRuntime } from '../support/runtime';

const avatar = avatarHandler(testRuntime);
const batch = batchHandler(testRuntime);
useProvider();

let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
beforeAll(async () => {
  W = await workspaceWithKeys(10_000);
});

const get = (slug: string, size: string) =>
  invoke(avatar, {
    query: { key: W.pk, linkedin_url: `linkedin.com/in/${slug}`, size },
    headers: APP_ORIGIN,
  });

async function expectInitialsAt(location: string, size: number) {
  const obj = await objectBehind(location);
  expect(obj.contentType).toBe('image/svg+xml');
  expect(obj.cacheControl).toBe('public, max-age=31536000, immutable');
  const svg = obj.body.toString('utf8');
  expect(svg).toMatch(new RegExp(`^<svg [^>]*width="${size}" height="${size}"`));
}

test('size=256 on a first lookup without a photo redirects to a 256 px initials SVG', async () => {
  const res = await get(freshSlug('nophoto'), '256');
  expect(res.status).toBe(302);
  await expectInitialsAt(res.headers.location, 256);
});

test('a known initials profile asked at other sizes gets an object per size, each its own size', async () => {
  const slug = freshSlug('nophoto');
  const first = await get(slug, '64');
  await expectInitialsAt(first.headers.location, 64);
  const bigger = await get(slug, '500'); // snapped up to 512
  expect(bigger.headers.location).not.toBe(first.headers.location);
  await expectInitialsAt(bigger.headers.location, 512);
  // and the first size is still its own object, unchanged
  await expectInitialsAt((await get(slug, '64')).headers.location, 64);
  testRuntime.avatarCache.clear();
  await expectInitialsAt((await get(slug, '512')).headers.location, 512);
});

test('batch items carry their own size', async () => {
  const slug = freshSlug('nophoto');
  const res = await invoke(batch, {
    method: 'POST',
    path: '/v1/avatars/batch',
    headers: { 'content-type': 'application/json', 'x-api-key': W.sk },
    body: JSON.stringify({
      items: [
        { linkedin_url: `linkedin.com/in/${slug}`, size: 256 },
        { linkedin_url: `linkedin.com/in/${slug}`, size: 32 },
      ],
    }),
  });
  expect(res.status).toBe(200);
  const [a, b] = res.json.results;
  await expectInitialsAt(a.url, 256);
  await expectInitialsAt(b.url, 32);
});
