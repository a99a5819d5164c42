/**
 * The key cache (AVTRZ_KEY_CACHE_SECONDS) and the hot path: a warm request for a known profile
 * makes exactly ONE DynamoDB call (the usage write), proven by counting SDK calls.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/avatar/handler';
import { hashKey } from '../../lambdas/core/keys/format';
import { pk, sk } from '../../lambdas/store/schema';
import { APP_ORIGIN, freshSlug, newKey, setKeyAttrs, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { coldStart, config, dynamo, type TestOverrides, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

/** Every SDK call of the runtime under test goes through these counters (recorded inside `counting`). */
const calls = { on: false, ddb: [] as string[], s3: [] as string[] };
const real = coldStart();
const realDdb = real.clients.dynamo();
const countingDdb = {
  send: (cmd: { constructor: { name: string } }) => {
    if (calls.on) calls.ddb.push(cmd.constructor.name);
    return realDdb.send(cmd as never);
  },
} as unknown as DynamoDBDocumentClient;
const countingS3 = {
  send: async (cmd: { constructor: { name: string } }) => {
    if (calls.on) calls.s3.push(cmd.constructor.name);
    return (await real.clients.s3()).send(cmd as never);
  },
} as unknown as S3Client;

/** A cold start of the runtime under test, its clients counted. */
function start(o: TestOverrides = {}) {
  coldStart({ ...o, dynamo: countingDdb, s3: countingS3 });
}

async function counting<T>(fn: () => Promise<T>): Promise<{ result: T; ddb: string[]; s3: string[] }> {
  calls.ddb = [];
  calls.s3 = [];
  calls.on = true;
  try {
    return { result: await fn(), ddb: calls.ddb, s3: calls.s3 };
  } finally {
    calls.on = false;
  }
}

beforeEach(() => start());
afterAll(() => coldStart());

describe('hot path', () => {
  it('warm request for a known profile: exactly one DynamoDB call (UpdateItem), no S3', async () => {
    // one instant for both requests: they count into the same hour bucket
    const now = new Date();
    start({ clock: () => now });
    const w = await workspaceWithKeys(100);
    const url = `linkedin.com/in/${freshSlug('hot')}`;
    const cold = await counting(() =>
      invoke(handler, { query: { key: w.pk, linkedin_url: url }, headers: APP_ORIGIN }),
    );
    expect(cold.result.status).toBe(302);
    // cold: key + workspace + avatar reads; the write finds no 5-minute bucket of a new month, so
    // the month's root is created (from the earlier hour layout's count: none) and closed into this
    // window's bucket in one transaction (store/usage-counter.ts), and the write repeated; the
    // workspace's lookup and the record put; the initials object in S3
    expect(cold.ddb).toEqual([
      'GetCommand',
      'GetCommand',
      'GetCommand',
      'UpdateCommand', // the write: no bucket
      'QueryCommand', // latest bucket of the month: none
      'QueryCommand', // the month-to-date count of the earlier hour-bucket layout: none
      'PutCommand', // the month's root
      'QueryCommand', // latest: the root
      'TransactWriteCommand', // close the root, roll it into its hour, create this window's bucket
      'UpdateCommand', // the write
      'PutCommand', // this workspace has looked the profile up (spec section 4: per workspace)
      'PutCommand', // the avatar record
    ]);
    expect(cold.s3).toEqual(['PutObjectCommand']);

    const warm = await counting(() =>
      invoke(handler, { query: { key: w.pk, linkedin_url: url }, headers: APP_ORIGIN }),
    );
    expect(warm.result.status).toBe(302);
    expect(warm.result.headers.location).toBe(cold.result.headers.location);
    expect(warm.ddb).toEqual(['UpdateCommand']);
    expect(warm.s3).toEqual([]);
  });
});

describe('key cache', () => {
  it('TTL 30 (default): a revoke takes effect once the entry expires', async () => {
    let t = Date.now();
    start({ clock: () => new Date(t) });
    const w = await workspaceWithKeys(100);
    const q = { key: w.pk, linkedin_url: 'linkedin.com/in/cache-a', debug: '1' };
    expect((await invoke(handler, { query: q, headers: APP_ORIGIN })).status).toBe(302);
    await setKeyAttrs(hashKey(w.pk), { revoked_at: new Date().toISOString() });
    t += 29_000;
    expect((await invoke(handler, { query: q, headers: APP_ORIGIN })).status).toBe(302);
    t += 1_000;
    const res = await invoke(handler, { query: q, headers: APP_ORIGIN });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_key');
  });

  it('TTL 0: no cache, a revoke takes effect on the next request', async () => {
    start({ env: { AVTRZ_KEY_CACHE_SECONDS: '0' } });
    const w = await workspaceWithKeys(100);
    const q = { key: w.pk, linkedin_url: 'linkedin.com/in/cache-b', debug: '1' };
    expect((await invoke(handler, { query: q, headers: APP_ORIGIN })).status).toBe(302);
    const second = await counting(() => invoke(handler, { query: q, headers: APP_ORIGIN }));
    expect(second.ddb.filter((c) => c === 'GetCommand').length).toBeGreaterThanOrEqual(2);
    await setKeyAttrs(hashKey(w.pk), { revoked_at: new Date().toISOString() });
    expect((await invoke(handler, { query: q, headers: APP_ORIGIN })).json.error.code).toBe('invalid_key');
  });

  it('expired keys are refused like revoked ones; a future expiry still works', async () => {
    start({ env: { AVTRZ_KEY_CACHE_SECONDS: '0' } });
    const w = await workspaceWithKeys(100);
    const k = await newKey(w.ws, 'secret');
    const q = { linkedin_url: 'linkedin.com/in/cache-c', debug: '1' };
    await setKeyAttrs(hashKey(k.key), { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await invoke(handler, { query: q, headers: { 'x-api-key': k.key } })).status).toBe(302);
    await setKeyAttrs(hashKey(k.key), { expires_at: new Date(Date.now() - 1000).toISOString() });
    const res = await invoke(handler, { query: q, headers: { 'x-api-key': k.key } });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_key');
  });

  it('the cached entry carries the workspace quota: a quota change shows once the entry expires', async () => {
    let t = Date.now();
    start({ clock: () => new Date(t) });
    const w = await workspaceWithKeys(100);
    const q = { linkedin_url: 'linkedin.com/in/cache-e' };
    const h = { 'x-api-key': w.sk };
    expect((await invoke(handler, { query: q, headers: h })).headers['x-quota-limit']).toBe('100');
    await dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: { pk: pk.workspace(w.ws), sk: sk.workspaceMeta },
        UpdateExpression: 'SET monthly_quota = :q',
        ExpressionAttributeValues: { ':q': 250 },
      }),
    );
    expect((await invoke(handler, { query: q, headers: h })).headers['x-quota-limit']).toBe('100');
    t += 30_000;
    expect((await invoke(handler, { query: q, headers: h })).headers['x-quota-limit']).toBe('250');
  });

  it('unknown keys are cached as absent (no second lookup within the TTL)', async () => {
    const { generateKey } = await import('../../lambdas/core/keys/format');
    const ghost = generateKey('secret');
    const q = { linkedin_url: 'linkedin.com/in/cache-d', debug: '1' };
    const first = await counting(() => invoke(handler, { query: q, headers: { 'x-api-key': ghost } }));
    expect(first.result.json.error.code).toBe('invalid_key');
    expect(first.ddb).toEqual(['GetCommand']);
    const second = await counting(() => invoke(handler, { query: q, headers: { 'x-api-key': ghost } }));
    expect(second.result.json.error.code).toBe('invalid_key');
    expect(second.ddb).toEqual([]);
  });

  it('a malformed key never reaches DynamoDB', async () => {
    const r = await counting(() =>
      invoke(handler, {
        query: { key: 'pk_live_7f3e21bc94aa', linkedin_url: 'linkedin.com/in/x', debug: '1' },
        headers: APP_ORIGIN,
      }),
    );
    expect(r.result.json.error.code).toBe('invalid_key');
    expect(r.ddb).toEqual([]);
  });
});
