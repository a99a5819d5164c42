/**
 * A provider failure (network, timeout, 5xx, a refused fetch) is never remembered as "no photo"
 * (spec section 3, "Freshness"): the request gets the initials, and a request a minute later
 * looks again and gets the photo. While the provider keeps failing, a profile is looked up at
 * most once a minute, and its initials object is not written again.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandler } from '../../lambdas/avatar/handler';
import { profileId } from '../../lambdas/core/profile-id';
import type { AvatarRecord } from '../../lambdas/core/records';
import { resolve } from '../../lambdas/resolver/resolve';
import { APP_ORIGIN, freshSlug, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { objectBehind } from '../support/objects';
import { colourOf, expectPhotoColour, useProvider } from '../support/provider';
import { useResolverLambda } from '../support/resolver-lambda';
import { coldStart, store, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);
const secret = process.env.AVTRZ_HMAC_SECRET as string;
const p = useProvider();
const MINUTE = 60_000;

/** the runtime's clock runs `offset` ms ahead of the wall clock */
let offset = 0;
const clock = () => new Date(Date.now() + offset);
/** a new container on the test's clock, optionally with another environment */
const container = (env: Record<string, string | undefined> = {}) =>
  coldStart({ env: { ...testRuntime.env, ...env }, clock });

let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
beforeAll(async () => {
  W = await workspaceWithKeys(100_000);
});
beforeEach(() => {
  offset = 0;
  container({ AVTRZ_UPSTREAM_URL: p().template });
});

const avatar = (slug: string) =>
  invoke(handler, { query: { key: W.pk, linkedin_url: `linkedin.com/in/${slug}` }, headers: APP_ORIGIN });

const isInitials = (location: string) => /\/i[0-9a-f]{12}\/128\.svg$/.test(location);
const isPhoto = (location: string) => /\/[0-9a-f]{12}\/128\.webp$/.test(location);

async function record(slug: string): Promise<AvatarRecord | undefined> {
  const id = profileId(secret, `linkedin.com/in/${slug}`);
  store.avatars.forgetAvatar(id);
  return store.avatars.getAvatar(id);
}

/** Keys of the objects the current runtime writes to S3 from now on. */
async function countPuts(): Promise<string[]> {
  const keys: string[] = [];
  (await testRuntime.clients.s3()).middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand') keys.push(String((args.input as { Key: string }).Key));
      return next(args);
    },
    { step: 'initialize', name: 'countPuts' },
  );
  return keys;
}

/** A port on 127.0.0.1 where nothing listens (connect ECONNREFUSED). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('provider answers 500 once: initials for that request, the photo a minute later', async () => {
  const slug = freshSlug('photo');
  p().setFailing(slug, true);
  const first = await avatar(slug);
  expect(first.status).toBe(302);
  expect(isInitials(first.headers.location)).toBe(true);
  p().setFailing(slug, false);

  offset = MINUTE + 1000;
  const later = await avatar(slug);
  expect(later.status).toBe(302);
  expect(isPhoto(later.headers.location)).toBe(true);
  await expectPhotoColour((await objectBehind(later.headers.location)).body, colourOf(slug));
  expect(p().hits.get(slug)).toBe(2);
  expect((await record(slug))?.kind).toBe('photo');
});

test('provider down (connect ECONNREFUSED), then back: the profile is not initials for good', async () => {
  const slug = freshSlug('photo');
  container({ AVTRZ_UPSTREAM_URL: `http://127.0.0.1:${await closedPort()}/photo?profile={profile}` });
  const down = await avatar(slug);
  expect(down.status).toBe(302);
  expect(isInitials(down.headers.location)).toBe(true);

  offset = MINUTE + 1000;
  container({ AVTRZ_UPSTREAM_URL: p().template });
  const back = await avatar(slug);
  expect(isPhoto(back.headers.location)).toBe(true);
  expect(p().hits.get(slug)).toBe(1);
});

test('a failure under another provider configuration is looked up again at once', async () => {
  const slug = freshSlug('photo');
  container({ AVTRZ_UPSTREAM_URL: `http://127.0.0.1:${await closedPort()}/photo?profile={profile}` });
  expect(isInitials((await avatar(slug)).headers.location)).toBe(true);
  container({ AVTRZ_UPSTREAM_URL: p().template }); // the operator fixed the URL: no minute to wait
  expect(isPhoto((await avatar(slug)).headers.location)).toBe(true);
});

test('while the provider keeps failing: one lookup a minute per profile, and no initials rewrite', async () => {
  const slug = freshSlug('photo');
  p().setFailing(slug, true);
  try {
    const first = await avatar(slug);
    expect(isInitials(first.headers.location)).toBe(true);
    expect(p().hits.get(slug)).toBe(1);
    const puts = await countPuts();

    // within the minute: no lookup, the same initials, nothing written
    offset = 30_000;
    for (let i = 0; i < 5; i++) expect((await avatar(slug)).headers.location).toBe(first.headers.location);
    expect(p().hits.get(slug)).toBe(1);

    // the minute is over: concurrent requests, one lookup among them
    offset = MINUTE + 1000;
    const burst = await Promise.all(Array.from({ length: 6 }, () => avatar(slug)));
    expect(burst.map((r) => r.headers.location)).toEqual(Array(6).fill(first.headers.location));
    expect(p().hits.get(slug)).toBe(2);

    // and again only after another minute
    offset = MINUTE + 30_000;
    await avatar(slug);
    expect(p().hits.get(slug)).toBe(2);
    offset = 2 * MINUTE + 2000;
    await avatar(slug);
    expect(p().hits.get(slug)).toBe(3);
    expect(puts).toEqual([]);
  } finally {
    p().setFailing(slug, false);
  }
});

test.each([
  ['fail', '500'],
  ['slow', 'timeout (past the 3 s deadline)'],
  ['jsonprivate', 'a refused fetch (image_url on a private address)'],
  ['loop', 'a refused fetch (too many redirects)'],
])('%s, %s: the record is a failure to retry, not "no photo"', async (kind) => {
  const slug = freshSlug(kind);
  const profile = `linkedin.com/in/${slug}`;
  const id = profileId(secret, profile);
  const res = await resolve(testRuntime, { op: 'lookup', id, profile, size: 128, format: 'webp' });
  expect(res.record.kind).toBe('initials');
  expect(res.record.failed_at).toBe(res.record.fetched_at);
  expect((await record(slug))?.failed_at).toBeDefined();
});

test('a 404 from the provider is "no photo": recorded without a failure', async () => {
  const slug = freshSlug('nophoto');
  const profile = `linkedin.com/in/${slug}`;
  const id = profileId(secret, profile);
  const res = await resolve(testRuntime, { op: 'lookup', id, profile, size: 128, format: 'webp' });
  expect(res.record.kind).toBe('initials');
  expect((await record(slug))?.failed_at).toBeUndefined();
  // and is not looked up again a minute later
  offset = MINUTE + 1000;
  await avatar(slug);
  expect(p().hits.get(slug)).toBe(1);
});

describe('through the resolver function (Invoke API of the local gateway)', () => {
  useResolverLambda();

  test('a 500 once, then the photo a minute later: the retry crosses the function boundary', async () => {
    const slug = freshSlug('photo');
    p().setFailing(slug, true);
    expect(isInitials((await avatar(slug)).headers.location)).toBe(true);
    p().setFailing(slug, false);
    offset = MINUTE + 1000;
    expect(isPhoto((await avatar(slug)).headers.location)).toBe(true);
    expect(p().hits.get(slug)).toBe(2);
  });
});
