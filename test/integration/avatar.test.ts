/**
 * GET /v1/avatar in-process (payload-v2 events) against DynamoDB Local and s3rver.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/avatar/handler';
import { hashKey } from '../../lambdas/core/keys/format';
import { profileId } from '../../lambdas/core/profile-id';
import { pk, sk } from '../../lambdas/store/schema';
import {
  APP_ORIGIN,
  CDN,
  freshSlug,
  keyItem,
  usageItem,
  workspaceWithKeys,
} from '../support/avatar-fixtures';
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

  it('counts each authorised request against the workspace and the key-hour, never blocked ones', async () => {
    const w = await workspaceWithKeys(50);
    const now = new Date();
    const month = now.toISOString().slice(0, 7);
    for (let i = 0; i < 3; i++) {
      const r = await call({ key: w.pk, linkedin_url: `linkedin.com/in/${freshSlug()}` }, APP_ORIGIN);
      expect(r.status).toBe(302);
    }
    const blocked = [
      await call({ key: w.pk, linkedin_url: 'linkedin.com/in/x' }, { origin: 'https://evil.test' }),
      await call({ key: w.pk, linkedin_url: 'linkedin.com/in/x' }),
      await call({ linkedin_url: 'linkedin.com/in/x' }),
      await call({ key: w.sk, linkedin_url: 'linkedin.com/in/x' }),
      await call({ key: w.pk, linkedin_url: 'not-linkedin' }, APP_ORIGIN),
    ];
    expect(blocked.map((b) => b.status)).toEqual([403, 403, 401, 401, 400]);
    const item = await usageItem(w.ws, month);
    expect(item?.used).toBe(3);
    const hourly = Object.entries(item ?? {}).filter(([k]) => k.startsWith(`h_${w.pkId}_`));
    expect(hourly.reduce((s, [, v]) => s + Number(v), 0)).toBe(3);
    expect(typeof item?.[`lu_${w.pkId}`]).toBe('string');
  });

  it('an authorised request with a bad parameter: 400 with x-quota-* headers, not counted', async () => {
    const w = await workspaceWithKeys(7);
    const month = new Date().toISOString().slice(0, 7);
    expect(
      (await call({ linkedin_url: `linkedin.com/in/${freshSlug()}` }, { 'x-api-key': w.sk })).status,
    ).toBe(302);
    const res = await call(
      { linkedin_url: 'linkedin.com/in/x', size: '2000', debug: '1' },
      { 'x-api-key': w.sk },
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_request', param: 'size' });
    expect(res.headers['x-quota-limit']).toBe('7');
    expect(res.headers['x-quota-remaining']).toBe('6');
    expect((await usageItem(w.ws, month))?.used).toBe(1);
    // blocked requests carry no quota information
    const blocked = await call({ linkedin_url: 'linkedin.com/in/x', debug: '1' }, {});
    expect(blocked.headers['x-quota-limit']).toBeUndefined();
  });

  it('a secret key in the query string is refused and flagged exposed_at', async () => {
    const w = await workspaceWithKeys(10);
    expect((await keyItem(hashKey(w.sk)))?.exposed_at).toBeUndefined();
    const res = await call({ key: w.sk, linkedin_url: 'linkedin.com/in/alex', debug: '1' });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_key');
    expect(res.json.error.message).toContain('x-api-key header only');
    expect(typeof (await keyItem(hashKey(w.sk)))?.exposed_at).toBe('string');
    // the header still works: exposure is a flag for the operator, not a revocation
    const ok = await call({ linkedin_url: 'linkedin.com/in/alex' }, { 'x-api-key': w.sk });
    expect(ok.status).toBe(302);
  });
});
