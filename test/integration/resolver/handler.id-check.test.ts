/**
 * The resolver function trusts no id it is given: `id` names the objects and the record of a
 * profile, so a caller that could pick it could make one profile's avatar another's photo. The
 * handler recomputes it from `profile` with the HMAC secret and refuses a mismatch before any
 * provider call or write. In-process against the provider stand-in, DynamoDB Local and s3rver.
 */
import { profileId } from '../../../lambdas/core/profile-id';
import { createHandler } from '../../../lambdas/resolver/handler';
import { freshSlug } from '../../support/avatar-fixtures';
import { useProvider } from '../../support/provider';
import { store, testRuntime } from '../../support/runtime';

const handler = createHandler(testRuntime);
const secret = process.env.AVTRZ_HMAC_SECRET as string;
const p = useProvider();
const profileOf = (slug: string) => `linkedin.com/in/${slug}`;

async function stored(id: string) {
  testRuntime.avatarCache.clear();
  return store.avatars.getAvatar(id);
}

test('refresh with a victim id and another profile is refused; the victim keeps its photo', async () => {
  const victim = profileOf(freshSlug('photo'));
  const victimId = profileId(secret, victim);
  await handler({ op: 'lookup', id: victimId, profile: victim, size: 64, format: 'png' });
  const before = await stored(victimId);
  expect(before).toMatchObject({ kind: 'photo', profile: victim });

  const other = freshSlug('photo');
  await expect(handler({ op: 'refresh', id: victimId, profile: profileOf(other) })).rejects.toThrow(/id/);
  expect(await stored(victimId)).toEqual(before);
  // refused before the provider was asked for the other profile
  expect(p().hits.get(other)).toBeUndefined();
});

test.each([
  ['lookup', { size: 64, format: 'png' }],
  ['variant', { size: 64, format: 'png', version: '0123456789ab' }],
])('%s with an id that is not the profile’s is refused, and nothing is stored under it', async (op, rest) => {
  const slug = freshSlug('photo');
  const forged = profileId('some-other-secret-0123456789', profileOf(slug));
  await expect(handler({ op, id: forged, profile: profileOf(slug), ...rest })).rejects.toThrow(/id/);
  expect(await stored(forged)).toBeUndefined();
  expect(p().hits.get(slug)).toBeUndefined();
});

test('the id computed from the profile is accepted (control)', async () => {
  const slug = freshSlug('photo');
  const id = profileId(secret, profileOf(slug));
  const out = await handler({ op: 'lookup', id, profile: profileOf(slug), size: 64, format: 'png' });
  expect(out.record).toMatchObject({ id, kind: 'photo' });
});
