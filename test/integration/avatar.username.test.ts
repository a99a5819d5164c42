/**
 * `username` (the slug after /in/) as the alternative to `linkedin_url` (spec section 3), on
 * GET /v1/avatar and on batch items: the same profile, the same object; exactly one of the two.
 * In-process against DynamoDB Local and s3rver.
 */
import { createHandler as avatarHandler } from '../../lambdas/avatar/handler';
import { createHandler as batchHandler } from '../../lambdas/batch/handler';
import { APP_ORIGIN, freshSlug, usageItem, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { testRuntime } from '../support/runtime';

const avatar = avatarHandler(testRuntime);
const batchFn = batchHandler(testRuntime);
const month = () => new Date().toISOString().slice(0, 7);
const JSON_ACCEPT = { accept: 'application/json' };

const batch = (items: unknown[], key: string) =>
  invoke(batchFn, {
    method: 'POST',
    path: '/v1/avatars/batch',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ items }),
  });

let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
beforeAll(async () => {
  W = await workspaceWithKeys(1000);
});

describe('GET /v1/avatar?username=', () => {
  it('redirects to the same object as the linkedin_url with that slug, and counts once', async () => {
    const W1 = await workspaceWithKeys(1000);
    const slug = freshSlug('dana-scully');
    const byName = await invoke(avatar, {
      query: { key: W1.pk, username: slug.toUpperCase() },
      headers: APP_ORIGIN,
    });
    expect(byName.status).toBe(302);
    expect(byName.headers['cache-control']).toBe('public, max-age=3600');
    expect(byName.headers['x-quota-limit']).toBe('1000');
    const byUrl = await invoke(avatar, {
      query: { key: W1.pk, linkedin_url: `https://www.linkedin.com/in/${slug}/` },
      headers: APP_ORIGIN,
    });
    expect(byUrl.status).toBe(302);
    expect(byName.headers.location).toBe(byUrl.headers.location);
    expect((await usageItem(W1.ws, month()))?.used).toBe(2);
  });

  it.each([
    [
      'both',
      'username',
      { linkedin_url: 'linkedin.com/in/dana-scully', username: 'dana-scully' },
      /not both/,
    ],
    ['neither', 'linkedin_url', {}, /linkedin_url or username is required/],
    ['an invalid username', 'username', { username: 'dana/scully' }, /username must be/],
  ])('%s → 400 invalid_request naming %s', async (_name, param, query, message) => {
    const res = await invoke(avatar, {
      query: { key: W.pk, ...query },
      headers: { ...APP_ORIGIN, ...JSON_ACCEPT },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_request', type: 'request', param });
    expect(res.json.error.message).toMatch(message);
  });

  it('an image load with a valid username gets its initials; with both, the silhouette', async () => {
    const img = { ...APP_ORIGIN, 'sec-fetch-dest': 'image' };
    const named = await invoke(avatar, {
      query: { key: W.pk, username: 'dana-scully', size: '9' },
      headers: img,
    });
    expect(named.status).toBe(400);
    expect(named.headers['x-avtrz-error']).toBe('invalid_request');
    expect(named.body).toContain('>DS</text>');
    expect(named.body).not.toContain('dana');
    const both = await invoke(avatar, {
      query: { key: W.pk, username: 'dana-scully', linkedin_url: 'linkedin.com/in/dana-scully' },
      headers: img,
    });
    expect(both.status).toBe(400);
    expect(both.body).not.toContain('<text');
  });
});

describe('POST /v1/avatars/batch items with username', () => {
  it('serves username items like linkedin_url items and echoes what each item gave', async () => {
    const W1 = await workspaceWithKeys(1000);
    const slug = freshSlug('fox-mulder');
    const items = [
      { username: slug },
      { linkedin_url: `linkedin.com/in/${slug}` },
      { username: slug, linkedin_url: `linkedin.com/in/${slug}` },
      { username: 'no/slash' },
      {},
    ];
    const res = await batch(items, W1.sk);
    expect(res.status).toBe(200);
    const r = res.json.results;
    expect(r[0]).toEqual({ username: slug, status: 'ok', url: expect.any(String) });
    expect(r[1]).toEqual({ linkedin_url: `linkedin.com/in/${slug}`, status: 'ok', url: r[0].url });
    expect(r[2]).toMatchObject({ username: slug, linkedin_url: `linkedin.com/in/${slug}`, status: 'error' });
    expect(r[2].error).toMatchObject({ code: 'invalid_request', param: 'username' });
    expect(r[3]).toMatchObject({ username: 'no/slash', status: 'error' });
    expect(r[3].error).toMatchObject({ code: 'invalid_request', param: 'username' });
    expect(r[3]).not.toHaveProperty('linkedin_url');
    expect(r[4]).toMatchObject({ linkedin_url: null, status: 'error' });
    expect(r[4].error).toMatchObject({ code: 'invalid_request', param: 'linkedin_url' });
    // the two valid items were counted, the invalid ones not
    expect((await usageItem(W1.ws, month()))?.used).toBe(2);
  });
});
