/**
 * Usage per workspace per month and per key per hour: GET /v1/admin/workspaces/{ws}/usage and
 * GET /v1/usage (secret key), in-process against DynamoDB Local. Counters are written by the
 * avatar path's own counter (store/usage.ts countRequest), at chosen instants.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hashKey } from '../../lambdas/core/keys/format';
import { pk, sk } from '../../lambdas/store/schema';
import { call } from '../support/admin-events';
import { config, dynamo, store, testRuntime } from '../support/runtime';

const thisMonth = new Date().toISOString().slice(0, 7);
const prevMonth = (() => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
})();

let ws: string;
const keys: Record<string, { id: string; key: string }> = {};

async function count(keyName: string, at: string, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await store.usage.countRequest({
      workspaceId: ws,
      keyId: keys[keyName].id,
      now: new Date(at),
      quota: 1_000_000,
      enforceQuota: false,
    });
    expect(r.counted).toBe(true);
  }
}

beforeAll(async () => {
  const w = await call('POST', '/v1/admin/workspaces', { body: { name: 'Usage Co', monthly_quota: 5000 } });
  ws = w.body.id;
  const defs: [string, Record<string, unknown>][] = [
    ['old', { type: 'secret', name: 'backend' }],
    ['new', { type: 'secret', name: 'backend' }],
    ['web', { type: 'publishable', name: 'web', allowed_domains: ['localhost'] }],
    ['idle', { type: 'secret', name: 'idle' }],
  ];
  for (const [n, body] of defs) {
    const r = await call('POST', `/v1/admin/workspaces/${ws}/keys`, { body });
    expect(r.status).toBe(201);
    keys[n] = { id: r.body.id, key: r.body.key };
  }
  // traffic moving from "old" to "new" over three hours of day 01; hour by hour (a request is
  // counted in the workspace's latest hour bucket at the latest), out of order within an hour
  await count('old', `${thisMonth}-01T09:05:00Z`, 10);
  await count('old', `${thisMonth}-01T10:59:59Z`, 5);
  await count('new', `${thisMonth}-01T10:00:00Z`, 5);
  await count('new', `${thisMonth}-01T11:30:00Z`, 9);
  await count('old', `${thisMonth}-01T11:10:00Z`, 1);
  await count('web', `${thisMonth}-02T00:00:00Z`, 2);
  // last month: only "idle" was used (it was created then)
  await backdate(keys.idle.key, `${prevMonth}-01T00:00:00.000Z`);
  await count('idle', `${prevMonth}-15T23:00:00Z`, 3);
});

/** A key created in an earlier month (the API always stamps now). */
async function backdate(key: string, createdAt: string) {
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: { pk: pk.keyHash(hashKey(key)), sk: sk.key },
      UpdateExpression: 'SET created_at = :c',
      ExpressionAttributeValues: { ':c': createdAt },
    }),
  );
}

describe('GET /v1/admin/workspaces/{ws}/usage', () => {
  it('shapes the current month per key per hour, every key listed', async () => {
    const r = await call('GET', `/v1/admin/workspaces/${ws}/usage`);
    expect(r.status).toBe(200);
    // compared by id: keys created in the same millisecond may come in either order
    const byId = (list: { id: string }[]) => [...list].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect({ ...r.body, keys: byId(r.body.keys) }).toEqual({
      workspace_id: ws,
      month: thisMonth,
      monthly_quota: 5000,
      used: 32,
      shards: 1,
      keys: [
        {
          id: keys.old.id,
          type: 'secret',
          name: 'backend',
          last4: keys.old.key.slice(-4),
          status: 'active',
          used: 16,
          hourly: [
            { hour: `${thisMonth}-01T09:00:00Z`, count: 10 },
            { hour: `${thisMonth}-01T10:00:00Z`, count: 5 },
            { hour: `${thisMonth}-01T11:00:00Z`, count: 1 },
          ],
        },
        {
          id: keys.new.id,
          type: 'secret',
          name: 'backend',
          last4: keys.new.key.slice(-4),
          status: 'active',
          used: 14,
          hourly: [
            { hour: `${thisMonth}-01T10:00:00Z`, count: 5 },
            { hour: `${thisMonth}-01T11:00:00Z`, count: 9 },
          ],
        },
        {
          id: keys.web.id,
          type: 'publishable',
          name: 'web',
          last4: keys.web.key.slice(-4),
          status: 'active',
          used: 2,
          hourly: [{ hour: `${thisMonth}-02T00:00:00Z`, count: 2 }],
        },
        {
          id: keys.idle.id,
          type: 'secret',
          name: 'idle',
          last4: keys.idle.key.slice(-4),
          status: 'active',
          used: 0,
          hourly: [],
        },
      ].sort((x, y) => (x.id < y.id ? -1 : 1)),
    });
    expect(r.raw).not.toContain(keys.old.key);
  });

  it('answers another month with ?month=, and an empty month with zeros', async () => {
    const r = await call('GET', `/v1/admin/workspaces/${ws}/usage`, { query: { month: prevMonth } });
    expect(r.status).toBe(200);
    expect(r.body.month).toBe(prevMonth);
    expect(r.body.used).toBe(3);
    const byId = Object.fromEntries(r.body.keys.map((k: { id: string }) => [k.id, k]));
    expect(byId[keys.idle.id].hourly).toEqual([{ hour: `${prevMonth}-15T23:00:00Z`, count: 3 }]);
    expect(byId[keys.old.id]).toMatchObject({ used: 0, hourly: [] });
    const e = await call('GET', `/v1/admin/workspaces/${ws}/usage`, { query: { month: '2001-01' } });
    expect(e.status).toBe(200);
    expect(e.body.used).toBe(0);
    expect(e.body.keys).toHaveLength(4);
    expect(
      e.body.keys.every((k: { used: number; hourly: unknown[] }) => k.used === 0 && k.hourly.length === 0),
    ).toBe(true);
  });

  it.each(['2026-13', '2026-1', '26-11', 'november', '2026-11-01', ''])('refuses month=%j', async (month) => {
    const r = await call('GET', `/v1/admin/workspaces/${ws}/usage`, { query: { month } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request', param: 'month' });
  });

  it('404s an unknown workspace', async () => {
    const r = await call('GET', '/v1/admin/workspaces/ws_0000000000000000/usage');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });

  it('the key list shows last_used_at from this month, else the latest earlier month', async () => {
    const r = await call('GET', `/v1/admin/workspaces/${ws}/keys`);
    const byId = Object.fromEntries(r.body.keys.map((k: { id: string }) => [k.id, k]));
    // lu_ holds the time of the last counted request (written last for "old": 11:10)
    expect(byId[keys.old.id].last_used_at).toBe(`${thisMonth}-01T11:10:00.000Z`);
    expect(byId[keys.new.id].last_used_at).toBe(`${thisMonth}-01T11:30:00.000Z`);
    expect(byId[keys.web.id].last_used_at).toBe(`${thisMonth}-02T00:00:00.000Z`);
    expect(byId[keys.idle.id].last_used_at).toBe(`${prevMonth}-15T23:00:00.000Z`);
  });
});

describe('GET /v1/usage', () => {
  beforeEach(() => testRuntime.keyCache.clear());

  it('answers a secret key with its own workspace usage, same shape as the admin route', async () => {
    const r = await call('GET', '/v1/usage', { headers: { 'x-api-key': keys.new.key } });
    expect(r.status).toBe(200);
    const admin = await call('GET', `/v1/admin/workspaces/${ws}/usage`);
    expect(r.body).toEqual(admin.body);
    const m = await call('GET', '/v1/usage', {
      headers: { 'x-api-key': keys.new.key },
      query: { month: prevMonth },
    });
    expect(m.body).toMatchObject({ month: prevMonth, used: 3 });
    const bad = await call('GET', '/v1/usage', {
      headers: { 'x-api-key': keys.new.key },
      query: { month: '2026/11' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('month');
    // spec 3: x-quota-* on every authorised answer, the 400 too, always for the current month
    // (also when ?month= asks for another); the usage route counts nothing
    for (const res of [r, m, bad]) {
      expect([res.headers['x-quota-limit'], res.headers['x-quota-remaining']]).toEqual(['5000', '4968']);
      expect(res.headers['x-quota-reset']).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
    }
  });

  it('refuses publishable keys (403 forbidden), missing and bad keys (401)', async () => {
    const p = await call('GET', '/v1/usage', {
      headers: { 'x-api-key': keys.web.key, origin: 'http://localhost' },
    });
    expect(p.status).toBe(403);
    expect(p.body.error.code).toBe('forbidden');
    const none = await call('GET', '/v1/usage');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('missing_key');
    const q = await call('GET', '/v1/usage', { query: { key: keys.new.key } });
    expect(q.status).toBe(401);
    expect(q.body.error.code).toBe('invalid_key');
  });

  it('a revoked key gets 401 invalid_key; usage then shows it revoked', async () => {
    const w = await call('POST', '/v1/admin/workspaces', { body: { name: 'Short', monthly_quota: 5 } });
    const k = await call('POST', `/v1/admin/workspaces/${w.body.id}/keys`, {
      body: { type: 'secret', name: 's' },
    });
    const other = await call('POST', `/v1/admin/workspaces/${w.body.id}/keys`, {
      body: { type: 'secret', name: 't' },
    });
    expect((await call('GET', '/v1/usage', { headers: { 'x-api-key': k.body.key } })).status).toBe(200);
    await call('DELETE', `/v1/admin/workspaces/${w.body.id}/keys/${k.body.id}`);
    testRuntime.keyCache.clear();
    const r = await call('GET', '/v1/usage', { headers: { 'x-api-key': k.body.key } });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_key');
    const o = await call('GET', '/v1/usage', { headers: { 'x-api-key': other.body.key } });
    expect(o.status).toBe(200);
    expect(o.body.workspace_id).toBe(w.body.id);
    const status = Object.fromEntries(
      o.body.keys.map((x: { id: string; status: string }) => [x.id, x.status]),
    );
    expect(status).toEqual({ [k.body.id]: 'revoked', [other.body.id]: 'active' });
  });

  it('never looks for last_used_at in months before the oldest listed key was created', async () => {
    const w = await call('POST', '/v1/admin/workspaces', { body: { name: 'Fresh Co', monthly_quota: 10 } });
    const k = await call('POST', `/v1/admin/workspaces/${w.body.id}/keys`, {
      body: { type: 'secret', name: 'k' },
    });
    // a bucket from before the key existed that names it (cannot happen for real): not read
    const r = await store.usage.countRequest({
      workspaceId: w.body.id,
      keyId: k.body.id,
      now: new Date(`${prevMonth}-10T08:00:00Z`),
      quota: 10,
      enforceQuota: false,
    });
    expect(r.counted).toBe(true);
    const list = await call('GET', `/v1/admin/workspaces/${w.body.id}/keys`);
    expect(list.body.keys).toHaveLength(1);
    expect(list.body.keys[0].last_used_at).toBeNull();
  });
});
