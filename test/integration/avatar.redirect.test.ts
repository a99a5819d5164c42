/**
 * GET /v1/avatar answers a 302 to the right CDN object: initials for a new profile, the snapped
 * size and format of a photo, the cache policy by key type, fallback=404. In-process (payload-v2
 * events) against DynamoDB Local and s3rver. Counting is in avatar.quota, keys in the query
 * string in avatar.security.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/avatar/handler';
import { profileId } from '../../lambdas/core/profile-id';
import { pk, sk } from '../../lambdas/store/schema';
import { APP_ORIGIN, CDN, freshSlug, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { config, dynamo, s3Client, store, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

const secret = process.env.AVTRZ_HMAC_SECRET as string;
const call = (query: Record<string, string>, headers: Record<string, string> = {}) =>
  invoke(handler, { query, headers });

let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
beforeAll(async () => {
  W = await workspaceWithKeys(1000);
});

describe('GET /v1/avatar success', () => {
  it('new profile: 302 to its initials SVG stored in S3, public cache, quota headers', async () => {
    const slug = freshSlug('alex-rivera');
    const res = await call({ key: W.pk, linkedin_url: `https://www.linkedin.com/in/${slug}/` }, APP_ORIGIN);
    expect(res.status).toBe(302);
    const id = profileId(secret, `linkedin.com/in/${slug}`);
    expect(res.headers.location).toMatch(new RegExp(`^${CDN}/a/${id}/i[0-9a-f]{12}/\\d+\\.svg$`));
    expect(res.headers.location).not.toContain(slug);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    // the answer depends on the page's origin: a cached redirect must not serve another site
    expect(res.headers.vary).toBe('Origin, Referer');
    expect(res.headers['x-quota-limit']).toBe('1000');
    expect(Number(res.headers['x-quota-remaining'])).toBeLessThan(1000);
    expect(res.headers['x-quota-reset']).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
    expect(res.headers['x-request-id']).toBeTruthy();

    const key = res.headers.location.slice(CDN.length + 1);
    const obj = await (await s3Client()).send(
      new GetObjectCommand({ Bucket: config().bucketName, Key: key }),
    );
    expect(obj.ContentType).toBe('image/svg+xml');
    expect(obj.CacheControl).toBe('public, max-age=31536000, immutable');
    const body = await obj.Body?.transformToString();
    expect(body).toContain('>AR</text>');
    expect(body).not.toContain(slug);

    testRuntime.avatarCache.clear();
    expect(await store.avatars.getAvatar(id)).toMatchObject({
      id,
      kind: 'initials',
      profile: `linkedin.com/in/${slug}`,
    });

    // same profile in another spelling → same Location
    const again = await call(
      { key: W.pk, linkedin_url: `http://uk.linkedin.com/in/${slug.toUpperCase()}?trk=x` },
      {
        referer: 'https://app.example.com/',
      },
    );
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe(res.headers.location);
  });

  it('photo record: Location is the snapped size and format; secret key → private cache', async () => {
    const slug = freshSlug('photo');
    const id = profileId(secret, `linkedin.com/in/${slug}`);
    await dynamo().send(
      new PutCommand({
        TableName: config().tableName,
        Item: {
          pk: pk.avatar(id),
          sk: sk.avatar,
          id,
          profile: `linkedin.com/in/${slug}`,
          version: 'v1',
          variants: new Set(['128.png', '128.webp']),
          kind: 'photo',
          fetched_at: new Date().toISOString(),
        },
      }),
    );
    const res = await call(
      { linkedin_url: `linkedin.com/in/${slug}`, size: '100', format: 'png' },
      { 'x-api-key': W.sk },
    );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${CDN}/a/${id}/v1/128.png`);
    expect(res.headers['cache-control']).toBe('private, max-age=3600');
    const d = await call({ linkedin_url: `linkedin.com/in/${slug}` }, { 'x-api-key': W.sk });
    expect(d.headers.location).toBe(`${CDN}/a/${id}/v1/128.webp`);
  });

  it('fallback=404 on a profile without a photo → 404 not_found (still counted, quota headers)', async () => {
    const res = await call(
      { linkedin_url: `linkedin.com/in/${freshSlug()}`, fallback: '404' },
      { 'x-api-key': W.sk, accept: 'application/json' },
    );
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'not_found', type: 'request' });
    expect(res.headers['x-quota-limit']).toBe('1000');
  });
});
