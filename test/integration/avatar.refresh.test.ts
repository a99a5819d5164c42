import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/avatar/handler';
import { profileId } from '../../lambdas/core/profile-id';
import type { AvatarRecord } from '../../lambdas/core/records';
import { pk, sk } from '../../lambdas/store/schema';
import { APP_ORIGIN, freshSlug, usageItem, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { objectBehind } from '../support/objects';
import { colourOf, expectPhotoColour, useProvider } from '../support/provider';
import { useResolverLambda } from '../support/resolver-lambda';
import { coldStart, config, dynamo, store, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

const secret = process.env.AVTRZ_HMAC_SECRET as string;
const p = useProvider({ AVTRZ_REFRESH_DAYS: '30' });
const month = () => new Date().toISOString().slice(0, 7);
const DAY = 86_400_000;

// a new container: nothing asked for yet
beforeEach(() => coldStart({ env: { ...testRuntime.env } }));

const avatar = (key: string, slug: string, q: Record<string, string> = {}) =>
  invoke(handler, { query: { key, linkedin_url: `linkedin.com/in/${slug}`, ...q }, headers: APP_ORIGIN });

async function record(slug: string): Promise<AvatarRecord> {
  const id = profileId(secret, `linkedin.com/in/${slug}`);
  store.avatars.forgetAvatar(id);
  return (await store.avatars.getAvatar(id)) as AvatarRecord;
}

/** Age the record as if it was fetched `days` ago (what time would do). */
async function age(slug: string, days: number): Promise<void> {
  const id = profileId(secret, `linkedin.com/in/${slug}`);
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: { pk: pk.avatar(id), sk: sk.avatar },
      UpdateExpression: 'SET fetched_at = :t REMOVE checked_at, failed_at',
      ExpressionAttributeValues: { ':t': new Date(Date.now() - days * DAY).toISOString() },
    }),
  );
  testRuntime.avatarCache.clear();
}

/** Poll the record until `done` holds (bounded: 5 s). */
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

/** The photo behind a Location is the stand-in's photo in `rgb`. */
async function expectColourAt(location: string, rgb: { r: number; g: number; b: number }) {
  await expectPhotoColour((await objectBehind(location)).body, rgb);
}

function refreshSuite(name: string) {
  describe(name, () => {
    test('changed photo: the stale request is served the old URL at once, then a new version with its variants', async () => {
      const W = await workspaceWithKeys(1000);
      const slug = freshSlug('photo');
      const first = await avatar(W.pk, slug, { size: '64', format: 'png' });
      await avatar(W.pk, slug, { size: '128', format: 'webp' });
      const v1 = (await record(slug)).version;
      expect(p().hits.get(slug)).toBe(1);
      const usedBefore = Number((await usageItem(W.ws, month()))?.used);

      await age(slug, 31);
      const newColour = { r: 200, g: 30, b: 90 };
      p().setPhoto(slug, newColour);
      const stale = await avatar(W.pk, slug, { size: '64', format: 'png' });
      expect(stale.status).toBe(302);
      expect(stale.headers.location).toBe(first.headers.location); // answered from what is stored

      const after = await until(slug, (r) => r.version !== v1);
      expect(p().hits.get(slug)).toBe(2);
      expect(after.kind).toBe('photo');
      expect(new Set(after.variants)).toEqual(new Set(['64.png', '128.webp']));
      expect(Date.parse(after.fetched_at)).toBeGreaterThan(Date.now() - DAY);
      // the request was counted once; the refresh was not counted at all
      expect(Number((await usageItem(W.ws, month()))?.used)).toBe(usedBefore + 1);

      testRuntime.avatarCache.clear();
      const next = await avatar(W.pk, slug, { size: '64', format: 'png' });
      expect(next.headers.location).toBe(first.headers.location.replace(`/${v1}/`, `/${after.version}/`));
      await expectColourAt(next.headers.location, newColour);
      // the old object is immutable and stays where it was
      await expectColourAt(first.headers.location, colourOf(slug));
    });

    test('same photo bytes: same version, fetched_at moves on', async () => {
      const W = await workspaceWithKeys(1000);
      const slug = freshSlug('photo');
      const first = await avatar(W.pk, slug);
      const v1 = (await record(slug)).version;
      await age(slug, 45);
      const stale = await avatar(W.pk, slug);
      expect(stale.headers.location).toBe(first.headers.location);
      const after = await until(slug, (r) => Date.parse(r.fetched_at) > Date.now() - DAY);
      expect(after.version).toBe(v1);
      expect(p().hits.get(slug)).toBe(2);
    });

    test('failed refresh keeps the old photo and is not retried on every request', async () => {
      const W = await workspaceWithKeys(1000);
      const slug = freshSlug('photo');
      const first = await avatar(W.pk, slug);
      const before = await record(slug);
      await age(slug, 40);
      const agedAt = (await record(slug)).fetched_at;
      p().setFailing(slug, true);
      try {
        const stale = await avatar(W.pk, slug);
        expect(stale.headers.location).toBe(first.headers.location);
        const after = await until(slug, (r) => !!r.checked_at);
        expect(after.version).toBe(before.version);
        expect(after.kind).toBe('photo');
        expect(after.fetched_at).toBe(agedAt);
        expect(p().hits.get(slug)).toBe(2);
        // later requests: still the old photo, and no new provider call for this period
        testRuntime.avatarCache.clear();
        coldStart({ env: { ...testRuntime.env } });
        const again = await avatar(W.pk, slug);
        expect(again.headers.location).toBe(first.headers.location);
        await new Promise((r) => setTimeout(r, 200));
        expect(p().hits.get(slug)).toBe(2);
      } finally {
        p().setFailing(slug, false);
      }
    });

    test('a stale profile at the quota: still served, refreshed, not a new lookup', async () => {
      const W = await workspaceWithKeys(2);
      const slug = freshSlug('photo');
      await avatar(W.pk, slug);
      await avatar(W.pk, freshSlug('photo')); // quota now used up
      const v1 = (await record(slug)).version;
      const blocked = await avatar(W.pk, freshSlug('photo'), { debug: '1' });
      expect(blocked.status).toBe(403);
      expect(blocked.json.error.code).toBe('plan_limit');

      await age(slug, 31);
      p().setPhoto(slug, { r: 20, g: 220, b: 60 });
      const stale = await avatar(W.pk, slug);
      expect(stale.status).toBe(302);
      const after = await until(slug, (r) => r.version !== v1);
      expect(after.kind).toBe('photo');
    });

    test('concurrent requests for a stale profile start one refresh', async () => {
      const W = await workspaceWithKeys(1000);
      const slug = freshSlug('photo');
      await avatar(W.pk, slug);
      const v1 = (await record(slug)).version;
      await age(slug, 31);
      p().setPhoto(slug, { r: 250, g: 250, b: 10 });
      const all = await Promise.all(Array.from({ length: 5 }, () => avatar(W.pk, slug)));
      expect(all.every((r) => r.status === 302)).toBe(true);
      await until(slug, (r) => r.version !== v1);
      await new Promise((r) => setTimeout(r, 200));
      expect(p().hits.get(slug)).toBe(2);
    });

    test('an initials profile whose provider now has a photo becomes a photo', async () => {
      const W = await workspaceWithKeys(1000);
      const slug = freshSlug('photo');
      p().setFailing(slug, true);
      const first = await avatar(W.pk, slug, { size: '96', format: 'jpeg' });
      expect(first.headers.location).toMatch(/\d+\.svg$/);
      p().setFailing(slug, false);
      await age(slug, 31);
      await avatar(W.pk, slug, { size: '96', format: 'jpeg' });
      const after = await until(slug, (r) => r.kind === 'photo');
      testRuntime.avatarCache.clear();
      const next = await avatar(W.pk, slug, { size: '96', format: 'jpeg' });
      expect(next.headers.location).toMatch(new RegExp(`/${after.version}/96\\.jpeg$`));
      await expectColourAt(next.headers.location, colourOf(slug));
    });
  });
}

refreshSuite('refresh in-process');

describe('refresh as an Event invoke through the local gateway', () => {
  useResolverLambda();

  test('changed photo → new version, via InvocationType Event', async () => {
    const W = await workspaceWithKeys(1000);
    const slug = freshSlug('photo');
    const first = await avatar(W.pk, slug);
    const v1 = (await record(slug)).version;
    await age(slug, 31);
    p().setPhoto(slug, { r: 90, g: 90, b: 220 });
    const stale = await avatar(W.pk, slug);
    expect(stale.headers.location).toBe(first.headers.location);
    const after = await until(slug, (r) => r.version !== v1);
    expect(after.variants).toEqual(['128.webp']);
  });
});
