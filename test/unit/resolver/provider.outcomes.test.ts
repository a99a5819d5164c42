/**
 * lambdas/resolver/provider.ts tells "the provider has no photo" (remembered) from "we could not
 * learn the answer" (a failure, looked up again a minute later; spec section 3, "Freshness").
 */
import { lookupPhoto } from '../../../lambdas/resolver/provider';
import { type Provider, startProvider } from '../../support/provider';

let p: Provider;
beforeAll(async () => {
  p = await startProvider();
});
afterAll(() => p.close());

const profile = (slug: string) => `linkedin.com/in/${slug}`;

test.each([
  ['nophoto-x', 'none'],
  ['fail-x', 'failed'], // 500
  ['jsonhttp-x', 'failed'], // refused fetch: another origin over http
  ['jsonprivate-x', 'failed'], // refused fetch: a private address
  ['redirprivate-x', 'failed'],
  ['loop-x', 'failed'], // too many redirects
  ['huge-x', 'failed'], // over the byte cap
  ['text-x', 'failed'], // a content type the protocol has no place for
])('%s → %s', async (slug, kind) => {
  expect((await lookupPhoto(p.template, profile(slug))).kind).toBe(kind);
});

test('a timeout is a failure', async () => {
  expect((await lookupPhoto(p.template, profile('slow-x'), { timeoutMs: 300 })).kind).toBe('failed');
});

test('connection refused is a failure', async () => {
  const closed = `http://127.0.0.1:1/photo?profile={profile}`;
  expect(await lookupPhoto(closed, profile('photo-x'))).toMatchObject({ kind: 'failed', reason: 'network' });
});

test('a 4xx other than 404/410 (here 400) is a failure, not "no such photo"', async () => {
  // the stand-in answers 400 on any path but /photo
  const other = `${p.origin}/elsewhere?profile={profile}`;
  expect(await lookupPhoto(other, profile('photo-x'))).toMatchObject({ kind: 'failed', detail: '400' });
});

test('no provider configured is "no photo"', async () => {
  expect((await lookupPhoto(undefined, profile('photo-y'))).kind).toBe('none');
});
