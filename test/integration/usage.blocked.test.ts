/**
 * Issue 11 item 5: "all my images show initials" is findable. A request refused with
 * domain_blocked keeps its SVG for image loads and says which host in JSON; for a known key it
 * is counted per key, hour and refused host with ONE write (never for unknown or revoked keys,
 * never against the quota), and GET /v1/usage and the admin usage show it.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/avatar/handler';
import { generateKey, hashKey } from '../../lambdas/core/keys/format';
import { pk, sk } from '../../lambdas/store/schema';
import { call } from '../support/admin-events';
import { APP_ORIGIN, setKeyAttrs, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { coldStart, config, dynamo, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

const calls = { on: false, ddb: [] as string[] };
const real = coldStart();
const realDdb = real.clients.dynamo();
const countingDdb = {
  send: (cmd: { constructor: { name: string } }) => {
    if (calls.on) calls.ddb.push(cmd.constructor.name);
    return realDdb.send(cmd as never);
  },
} as unknown as DynamoDBDocumentClient;

async function counting<T>(fn: () => Promise<T>): Promise<{ result: T; ddb: string[] }> {
  calls.ddb = [];
  calls.on = true;
  try {
    return { result: await fn(), ddb: calls.ddb };
  } finally {
    calls.on = false;
  }
}

const MONTH = '2025-06';
let t = Date.parse(`${MONTH}-03T09:15:00Z`);
const at = (iso: string) => {
  t = Date.parse(iso);
};
beforeAll(() => coldStart({ dynamo: countingDdb, clock: () => new Date(t) }));
afterAll(() => coldStart());

const avatar = (key: string, headers: Record<string, string>) =>
  invoke(handler, { query: { key, linkedin_url: 'linkedin.com/in/dana-scully' }, headers });

/** every blocked-hour item of a workspace-month, raw */
async function blockedItems(ws: string): Promise<Record<string, unknown>[]> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': pk.workspace(ws), ':m': sk.blockedMonth(MONTH) },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** DynamoDB's item size: attribute names and values in UTF-8 bytes, numbers at most 21 bytes */
function itemBytes(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    n += Buffer.byteLength(k);
    n +=
      typeof v === 'number'
        ? Math.ceil(String(v).replace(/^0+/, '').length / 2) + 1
        : Buffer.byteLength(String(v));
  }
  return n;
}

describe('domain_blocked tells which host', () => {
  it('JSON names the refused host and where to add it; an image load still gets the SVG, without it', async () => {
    const w = await workspaceWithKeys(100);
    const json = await avatar(w.pk, { origin: 'https://evil.test', accept: 'application/json' });
    expect(json.status).toBe(403);
    expect(json.json.error.code).toBe('domain_blocked');
    expect(json.json.error.message).toContain('Requests from evil.test');
    expect(json.json.error.message).toContain(`--key ${w.pkId}`);
    const img = await avatar(w.pk, { origin: 'https://evil.test', 'sec-fetch-dest': 'image' });
    expect(img.status).toBe(403);
    expect(img.headers['content-type']).toBe('image/svg+xml');
    expect(img.headers['x-avtrz-error']).toBe('domain_blocked');
    expect(img.body).toMatch(/^<svg/);
    expect(img.body).not.toContain('evil');
  });
});

describe('blocked requests are counted', () => {
  it('a warm refusal of a known key is ONE DynamoDB write; the quota is untouched', async () => {
    at(`${MONTH}-03T09:15:00Z`);
    const w = await workspaceWithKeys(100);
    // warm the key cache (one allowed request, counted), then refuse
    expect((await avatar(w.pk, APP_ORIGIN)).status).toBe(302);
    const usedBefore = await testRuntime.store.usage.readUsed(w.ws, new Date(t));
    const r = await counting(() => avatar(w.pk, { origin: 'https://evil.test' }));
    expect(r.result.status).toBe(403);
    expect(r.ddb).toEqual(['UpdateCommand']);
    expect(await testRuntime.store.usage.readUsed(w.ws, new Date(t))).toBe(usedBefore);
    expect(await blockedItems(w.ws)).toHaveLength(1);
  });

  it('never writes for an unknown, a malformed or a revoked key', async () => {
    const w = await workspaceWithKeys(100);
    const unknown = generateKey('publishable');
    for (const key of [unknown, unknown, 'pk_live_7f3e21bc94aa']) {
      const r = await counting(() => avatar(key, { origin: 'https://evil.test' }));
      expect(r.result.status).toBe(401);
      expect(r.ddb.filter((c) => c !== 'GetCommand')).toEqual([]);
    }
    await setKeyAttrs(hashKey(w.pk), { revoked_at: new Date(t - 1000).toISOString() });
    testRuntime.keyCache.clear();
    const revoked = await counting(() => avatar(w.pk, { origin: 'https://evil.test' }));
    expect(revoked.result.status).toBe(401);
    expect(revoked.ddb.filter((c) => c !== 'GetCommand')).toEqual([]);
    expect(await blockedItems(w.ws)).toEqual([]);
  });

  it('GET /v1/usage and the admin usage show them per key: hosts for the month and hourly points', async () => {
    const w = await workspaceWithKeys(100);
    at(`${MONTH}-04T10:05:00Z`);
    await avatar(w.pk, { origin: 'https://evil.test' });
    await avatar(w.pk, { origin: 'https://evil.test' });
    await avatar(w.pk, { referer: 'http://staging.example.com:5174/' });
    at(`${MONTH}-04T11:40:00Z`);
    await avatar(w.pk, { origin: 'https://evil.test' });
    await avatar(w.pk, {});
    // a secret key with an Origin not on its list, on the usage route itself
    const refused = await call('GET', '/v1/usage', {
      headers: { 'x-api-key': w.sk, origin: 'https://ops.evil.test' },
    });
    expect(refused.status).toBe(403);

    const admin = await call('GET', `/v1/admin/workspaces/${w.ws}/usage`, { query: { month: MONTH } });
    expect(admin.status).toBe(200);
    const byId = Object.fromEntries(admin.body.keys.map((k: { id: string }) => [k.id, k]));
    expect(byId[w.pkId].blocked).toEqual([
      { host: 'evil.test', count: 3, last_seen: `${MONTH}-04T11:00:00Z` },
      { host: '(none)', count: 1, last_seen: `${MONTH}-04T11:00:00Z` },
      { host: 'staging.example.com:5174', count: 1, last_seen: `${MONTH}-04T10:00:00Z` },
    ]);
    expect(byId[w.pkId].blocked_hourly).toEqual([
      { hour: `${MONTH}-04T10:00:00Z`, count: 3 },
      { hour: `${MONTH}-04T11:00:00Z`, count: 2 },
    ]);
    expect(byId[w.skId].blocked).toEqual([
      { host: 'ops.evil.test', count: 1, last_seen: `${MONTH}-04T11:00:00Z` },
    ]);
    // not counted against the quota: nothing was allowed in this workspace
    expect(admin.body.used).toBe(0);
    expect(byId[w.pkId].used).toBe(0);

    const own = await call('GET', '/v1/usage', { headers: { 'x-api-key': w.sk }, query: { month: MONTH } });
    expect(own.status).toBe(200);
    expect(own.body).toEqual(admin.body);
  });

  it('bounded: 300 distinct hosts in one hour leave one small item; spread over hours all 300 are named', async () => {
    const w = await workspaceWithKeys(100);
    at(`${MONTH}-10T08:00:00Z`);
    for (let i = 0; i < 300; i++) await avatar(w.pk, { origin: `https://spray-${i}.attacker-domain.test` });
    const items = await blockedItems(w.ws);
    expect(items).toHaveLength(1);
    const bytes = itemBytes(items[0]);
    console.log(
      `blocked-hour item after 300 distinct hosts in one hour: ${bytes} bytes, ${Object.keys(items[0]).length} attributes`,
    );
    expect(Object.keys(items[0]).filter((a) => /^h\d\d$/.test(a)).length).toBeLessThanOrEqual(32);
    expect(bytes).toBeLessThan(2048);

    // one host per hour: no host shares a slot, so every one is named
    for (let i = 0; i < 300; i++) {
      at(new Date(Date.parse(`${MONTH}-11T00:00:00Z`) + i * 3_600_000).toISOString());
      await avatar(w.pk, { origin: `https://site-${i}.example.net` });
    }
    const after = await blockedItems(w.ws);
    expect(Math.max(...after.map(itemBytes))).toBeLessThan(2048);
    const usage = await call('GET', `/v1/admin/workspaces/${w.ws}/usage`, { query: { month: MONTH } });
    const key = usage.body.keys.find((k: { id: string }) => k.id === w.pkId);
    const hosts: { host: string; count: number }[] = key.blocked;
    expect(hosts.filter((h) => h.host.endsWith('.example.net'))).toHaveLength(300);
    expect(hosts.reduce((s, h) => s + h.count, 0)).toBe(600);
    expect(hosts.every((h) => h.host === '(other)' || /^(spray|site)-\d+\./.test(h.host))).toBe(true);
    expect(key.blocked_hourly.reduce((s: number, h: { count: number }) => s + h.count, 0)).toBe(600);
  });
});
