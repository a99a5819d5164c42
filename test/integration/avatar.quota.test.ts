/**
 * Quota (spec section 4): exactness under concurrency, cached redirects at the quota, retry
 * safety of the single conditional write, month rollover with an injected clock; what is counted
 * (authorised requests, per workspace and key-hour) and what is not (blocked requests, bad
 * parameters).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/avatar/handler';
import { coldStart, store, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

import { APP_ORIGIN, freshSlug, usageItem, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';

const month = () => new Date().toISOString().slice(0, 7);

afterEach(() => coldStart());

/**
 * A DynamoDB client with per-attempt limits far wider than the runtime's own (1 s connect, 2 s per
 * attempt): 100 concurrent lookups make a few hundred calls at once, and on a loaded machine (a
 * whole test run on two cores) DynamoDB Local answers some of them after 2 s, which the real
 * limits turn into 503s. This test is about which requests are counted, not about how long they
 * take; the limits themselves are held by the fault tests (test/faults).
 */
function patientDynamo(): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 20_000 },
  });
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

describe('quota exactness', () => {
  it('Q=20, 100 concurrent new lookups → exactly 20 redirects, 80 plan_limit; cached profiles keep redirecting', async () => {
    const w = await workspaceWithKeys(20);
    const handler = createHandler(coldStart({ dynamo: patientDynamo() }));
    const slugs = Array.from({ length: 100 }, () => freshSlug('quota'));
    const results = await Promise.all(
      slugs.map((s) =>
        invoke(handler, {
          query: { key: w.pk, linkedin_url: `linkedin.com/in/${s}`, debug: '1' },
          headers: APP_ORIGIN,
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 302);
    const limited = results.filter((r) => r.status === 403);
    expect(ok).toHaveLength(20);
    expect(limited).toHaveLength(80);
    for (const r of limited) {
      expect(r.json.error).toMatchObject({ code: 'plan_limit', type: 'billing' });
      expect(r.headers['x-quota-remaining']).toBe('0');
      expect(r.headers['x-quota-limit']).toBe('20');
    }
    expect((await usageItem(w.ws, month()))?.used).toBe(20);

    // a profile among the 20 still redirects at the quota, and is counted
    const i = results.findIndex((r) => r.status === 302);
    const again = await invoke(handler, {
      query: { key: w.pk, linkedin_url: `linkedin.com/in/${slugs[i]}` },
      headers: APP_ORIGIN,
    });
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe(results[i].headers.location);
    expect(again.headers['x-quota-remaining']).toBe('0');
    expect((await usageItem(w.ws, month()))?.used).toBe(21);

    // a profile that was refused is still a new lookup
    const j = results.findIndex((r) => r.status === 403);
    const refused = await invoke(handler, {
      query: { key: w.pk, linkedin_url: `linkedin.com/in/${slugs[j]}`, debug: '1' },
      headers: APP_ORIGIN,
    });
    expect(refused.status).toBe(403);
    expect((await usageItem(w.ws, month()))?.used).toBe(21);
  });
});

describe('retry safety of the single write', () => {
  it('the same request token applied twice counts once, and is not a false plan_limit at the edge', async () => {
    const w = await workspaceWithKeys(1);
    const now = new Date();
    const base = { workspaceId: w.ws, keyId: w.skId, now, quota: 1, enforceQuota: true, token: 'req-1' };
    expect(await store.usage.countRequest(base)).toEqual({ counted: true, used: 1 });
    expect(await store.usage.countRequest(base)).toEqual({ counted: true, used: 1 });
    expect(await store.usage.countRequest({ ...base, token: 'req-2' })).toEqual({ counted: false, used: 1 });
    expect((await usageItem(w.ws, month()))?.used).toBe(1);
  });

  it('an SDK retry after a lost response (fault injected below the retry layer) is counted once', async () => {
    const w = await workspaceWithKeys(1);
    const base = new DynamoDBClient({ maxAttempts: 3, retryStrategy: undefined });
    let dropped = 0;
    base.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'UpdateItemCommand' && dropped === 0) {
          dropped++;
          // the write reached DynamoDB; its response is "lost"
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
        }
        return out;
      },
      { step: 'deserialize', name: 'loseFirstUpdateResponse' },
    );
    coldStart({
      dynamo: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    });
    try {
      const res = await invoke(handler, {
        query: { linkedin_url: `linkedin.com/in/${freshSlug('retry')}`, debug: '1' },
        headers: { 'x-api-key': w.sk },
      });
      expect(dropped).toBe(1);
      expect(res.status).toBe(302);
      expect(res.headers['x-quota-remaining']).toBe('0');
    } finally {
      coldStart();
    }
    expect((await usageItem(w.ws, month()))?.used).toBe(1);
  });
});

describe('month rollover (UTC)', () => {
  it('a new month starts a new counter at the UTC month start', async () => {
    const w = await workspaceWithKeys(1);
    coldStart({ clock: () => new Date('2031-11-30T23:59:59.000Z') });
    const nov = await invoke(handler, {
      query: { linkedin_url: `linkedin.com/in/${freshSlug('m')}` },
      headers: { 'x-api-key': w.sk },
    });
    expect(nov.status).toBe(302);
    expect(nov.headers['x-quota-reset']).toBe('2031-12-01T00:00:00.000Z');
    expect(nov.headers['x-quota-remaining']).toBe('0');
    const novFull = await invoke(handler, {
      query: { linkedin_url: `linkedin.com/in/${freshSlug('m')}`, debug: '1' },
      headers: { 'x-api-key': w.sk },
    });
    expect(novFull.json.error.code).toBe('plan_limit');

    coldStart({ clock: () => new Date('2031-12-01T00:00:00.000Z') });
    const dec = await invoke(handler, {
      query: { linkedin_url: `linkedin.com/in/${freshSlug('m')}` },
      headers: { 'x-api-key': w.sk },
    });
    expect(dec.status).toBe(302);
    expect(dec.headers['x-quota-reset']).toBe('2032-01-01T00:00:00.000Z');

    const a = await usageItem(w.ws, '2031-11');
    const b = await usageItem(w.ws, '2031-12');
    expect(a?.used).toBe(1);
    expect(a?.[`h_${w.skId}_3023`]).toBe(1);
    expect(b?.used).toBe(1);
    expect(b?.[`h_${w.skId}_0100`]).toBe(1);
    expect(b?.[`lu_${w.skId}`]).toBe('2031-12-01T00:00:00.000Z');
  });
});

describe('counting', () => {
  const call = (query: Record<string, string>, headers: Record<string, string> = {}) =>
    invoke(handler, { query, headers });

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
});
