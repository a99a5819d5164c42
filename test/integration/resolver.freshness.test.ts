/**
 * "No photo" is remembered for AVTRZ_MISS_RECHECK_HOURS (default 24), and a "no photo" made under
 * another provider configuration is stale at once (spec section 3, "Freshness"): the next request
 * looks again in the background.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandler } from '../../lambdas/avatar/handler';
import { profileId } from '../../lambdas/core/profile-id';
import type { AvatarRecord } from '../../lambdas/core/records';
import { APP_ORIGIN, freshSlug, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { objectBehind } from '../support/objects';
import { colourOf, expectPhotoColour, useProvider } from '../support/provider';
import { coldStart, store, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);
const secret = process.env.AVTRZ_HMAC_SECRET as string;
const p = useProvider();
const HOUR = 3_600_000;

let offset = 0;
const clock = () => new Date(Date.now() + offset);
const container = (env: Record<string, string | undefined> = {}) =>
  coldStart({ env: { ...testRuntime.env, AVTRZ_UPSTREAM_URL: p().template, ...env }, clock });

let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
beforeAll(async () => {
  W = await workspaceWithKeys(100_000);
});
beforeEach(() => {
  offset = 0;
  container();
});

const avatar = (slug: string) =>
  invoke(handler, { query: { key: W.pk, linkedin_url: `linkedin.com/in/${slug}` }, headers: APP_ORIGIN });

async function record(slug: string): Promise<AvatarRecord> {
  const id = profileId(secret, `linkedin.com/in/${slug}`);
  store.avatars.forgetAvatar(id);
  return (await store.avatars.getAvatar(id)) as AvatarRecord;
}

/** Poll the record until `done` holds (bounded: 5 s): the background look is not awaited. */
async function until(slug: string, done: (r: AvatarRecord) => boolean): Promise<AvatarRecord> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await record(slug);
    if (done(r)) return r;
    if (Date.now() > deadline)
      throw new Error(`record never reached the expected state: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

test('a profile looked up with no provider becomes its photo once a provider is configured', async () => {
  const slug = freshSlug('photo');
  container({ AVTRZ_UPSTREAM_URL: undefined });
  const before = await avatar(slug);
  expect(before.headers.location).toMatch(/\/128\.svg$/);
  expect(p().hits.get(slug)).toBeUndefined();

  container(); // the same deployment, now with a provider
  const next = await avatar(slug);
  expect(next.status).toBe(302); // answered from what is stored; the look runs in the background
  const after = await until(slug, (r) => r.kind === 'photo');
  expect(p().hits.get(slug)).toBe(1);
  testRuntime.avatarCache.clear();
  const photo = await avatar(slug);
  expect(photo.headers.location).toMatch(new RegExp(`/${after.version}/128\\.webp$`));
  await expectPhotoColour((await objectBehind(photo.headers.location)).body, colourOf(slug));
});

test('a "no photo" made under another provider URL is looked up again at once', async () => {
  // a provider that has no photo for anyone
  const empty = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => empty.listen(0, '127.0.0.1', r));
  const slug = freshSlug('photo');
  try {
    const { port } = empty.address() as AddressInfo;
    container({ AVTRZ_UPSTREAM_URL: `http://127.0.0.1:${port}/photo?profile={profile}` });
    expect((await avatar(slug)).headers.location).toMatch(/\/128\.svg$/);
    expect((await record(slug)).failed_at).toBeUndefined();
  } finally {
    await new Promise<void>((r) => empty.close(() => r()));
  }
  container();
  await avatar(slug);
  expect((await until(slug, (r) => r.kind === 'photo')).kind).toBe('photo');
});

test('"no photo" is looked up again after 24 hours by default, not before', async () => {
  const slug = freshSlug('nophoto');
  await avatar(slug);
  const first = await record(slug);
  expect(p().hits.get(slug)).toBe(1);

  offset = 23 * HOUR;
  container();
  await avatar(slug);
  expect(p().hits.get(slug)).toBe(1); // not stale: the look is decided before the answer

  offset = 25 * HOUR;
  container();
  await avatar(slug);
  const rechecked = await until(slug, (r) => r.checked_at !== undefined && r.checked_at !== first.checked_at);
  expect(p().hits.get(slug)).toBe(2);
  expect(rechecked.kind).toBe('initials');
});

test('AVTRZ_MISS_RECHECK_HOURS sets the period', async () => {
  const slug = freshSlug('nophoto');
  container({ AVTRZ_MISS_RECHECK_HOURS: '2' });
  await avatar(slug);
  offset = 3 * HOUR;
  container({ AVTRZ_MISS_RECHECK_HOURS: '2' });
  await avatar(slug);
  await until(slug, (r) => r.checked_at !== undefined);
  expect(p().hits.get(slug)).toBe(2);
});
