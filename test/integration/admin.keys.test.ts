/**
 * The key routes of the management API in-process against DynamoDB Local: create, list, update,
 * revoke, roll (and their races), validation, 404s; every admin route refuses API keys; and, over
 * every key this file issued, the full key never lands in a list answer, a DynamoDB item or a log
 * line.
 */
import '../support/log-debug';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { hashKey, parseKey } from '../../lambdas/core/keys/format';
import { call } from '../support/admin-events';
import { coldStart, dynamo, store } from '../support/runtime';

const logLines: string[] = [];
const issuedKeys: string[] = [];

beforeAll(() => {
  coldStart({ logSink: (line) => logLines.push(line) });
});
afterAll(() => {
  coldStart();
});

async function newWorkspace(quota = 1000): Promise<string> {
  const r = await call('POST', '/v1/admin/workspaces', { body: { name: 'Acme', monthly_quota: quota } });
  expect(r.status).toBe(201);
  return r.body.id;
}

async function newKey(ws: string, body: Record<string, unknown>) {
  const r = await call('POST', `/v1/admin/workspaces/${ws}/keys`, { body });
  expect(r.status).toBe(201);
  issuedKeys.push(r.body.key);
  return r.body;
}

describe('keys', () => {
  it('creates a publishable key and returns the full key once', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, {
      type: 'publishable',
      name: 'web',
      allowed_domains: ['Example.com', '*.example.com', 'localhost:5173', 'example.com'],
    });
    expect(k).toEqual({
      id: expect.stringMatching(/^key_[0-9A-Za-z]{16}$/),
      workspace_id: ws,
      type: 'publishable',
      name: 'web',
      key: expect.stringMatching(/^pk_live_/),
      last4: k.key.slice(-4),
      allowed_domains: ['example.com', '*.example.com', 'localhost:5173'],
      status: 'active',
      created_at: expect.any(String),
    });
    expect(parseKey(k.key)).toBe('publishable');
    const stored = await store.keys.getKeyByHash(hashKey(k.key));
    expect(stored).toMatchObject({ id: k.id, workspace_id: ws, type: 'publishable' });
  });

  it('refuses publishable keys without domains and invalid entries, naming allowed_domains', async () => {
    const ws = await newWorkspace();
    for (const allowed_domains of [
      undefined,
      [],
      ['https://example.com'],
      ['example.com/path'],
      ['exa mple.com'],
      [42],
      'example.com',
    ]) {
      const r = await call('POST', `/v1/admin/workspaces/${ws}/keys`, {
        body: { type: 'publishable', name: 'web', allowed_domains },
      });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_request', param: 'allowed_domains' });
    }
    const t = await call('POST', `/v1/admin/workspaces/${ws}/keys`, { body: { type: 'admin', name: 'x' } });
    expect(t.body.error.param).toBe('type');
    const n = await call('POST', `/v1/admin/workspaces/${ws}/keys`, { body: { type: 'secret' } });
    expect(n.body.error.param).toBe('name');
    // none of the refused requests created a key
    expect((await call('GET', `/v1/admin/workspaces/${ws}/keys`)).body.keys).toEqual([]);
  });

  it('lists keys without the key or its hash, with status and timestamps', async () => {
    const ws = await newWorkspace();
    const a = await newKey(ws, { type: 'secret', name: 'backend' });
    const b = await newKey(ws, { type: 'publishable', name: 'web', allowed_domains: ['localhost'] });
    const l = await call('GET', `/v1/admin/workspaces/${ws}/keys`);
    expect(l.status).toBe(200);
    expect(l.body.keys.map((k: { id: string }) => k.id).sort()).toEqual([a.id, b.id].sort());
    // oldest first
    const created = l.body.keys.map((k: { created_at: string }) => k.created_at);
    expect([...created].sort()).toEqual(created);
    for (const k of l.body.keys) {
      expect(Object.keys(k).sort()).toEqual(
        [
          'allowed_domains',
          'created_at',
          'expires_at',
          'exposed_at',
          'id',
          'last4',
          'last_used_at',
          'name',
          'revoked_at',
          'status',
          'type',
          'workspace_id',
        ].sort(),
      );
      expect(k).toMatchObject({ status: 'active', last_used_at: null, revoked_at: null, expires_at: null });
    }
    expect(l.raw).not.toContain(a.key);
    expect(l.raw).not.toContain(b.key);
    expect(l.raw).not.toContain(hashKey(a.key));
    expect(l.body.keys.find((k: { id: string }) => k.id === a.id).allowed_domains).toEqual([]);
  });

  it('updates name and allow-list; a publishable key keeps at least one domain', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'publishable', name: 'web', allowed_domains: ['example.com'] });
    const u = await call('PATCH', `/v1/admin/workspaces/${ws}/keys/${k.id}`, {
      body: { name: 'web-2', allowed_domains: ['app.example.com', 'localhost:3000'] },
    });
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({
      id: k.id,
      name: 'web-2',
      allowed_domains: ['app.example.com', 'localhost:3000'],
      status: 'active',
    });
    expect(u.body.key).toBeUndefined();
    // what the avatar path reads (by hash) sees the new allow-list
    expect((await store.keys.getKeyByHash(hashKey(k.key)))?.allowed_domains).toEqual([
      'app.example.com',
      'localhost:3000',
    ]);

    const empty = await call('PATCH', `/v1/admin/workspaces/${ws}/keys/${k.id}`, {
      body: { name: 'renamed', allowed_domains: [] },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'invalid_request', param: 'allowed_domains' });
    // the refused patch wrote nothing, not even the name
    expect(await store.keys.getKeyByHash(hashKey(k.key))).toMatchObject({
      name: 'web-2',
      allowed_domains: ['app.example.com', 'localhost:3000'],
    });
    // emptying the list of an unknown key, or of another workspace's key, is 404 like any other patch
    const other = await newWorkspace();
    for (const p of [
      `/v1/admin/workspaces/${ws}/keys/key_0000000000000000`,
      `/v1/admin/workspaces/${other}/keys/${k.id}`,
    ]) {
      const r = await call('PATCH', p, { body: { allowed_domains: [] } });
      expect([p, r.status, r.body.error.code]).toEqual([p, 404, 'not_found']);
    }
    const bad = await call('PATCH', `/v1/admin/workspaces/${ws}/keys/${k.id}`, {
      body: { allowed_domains: ['http://x.com'] },
    });
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', param: 'allowed_domains' });

    const s = await newKey(ws, { type: 'secret', name: 'srv', allowed_domains: ['example.com'] });
    const cleared = await call('PATCH', `/v1/admin/workspaces/${ws}/keys/${s.id}`, {
      body: { allowed_domains: [] },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.allowed_domains).toEqual([]);
  });

  it('answers 404 for unknown keys and for a key of another workspace', async () => {
    const ws1 = await newWorkspace();
    const ws2 = await newWorkspace();
    const k = await newKey(ws1, { type: 'secret', name: 'srv' });
    const paths = [
      `/v1/admin/workspaces/${ws2}/keys/${k.id}`,
      `/v1/admin/workspaces/${ws1}/keys/key_0000000000000000`,
    ];
    for (const p of paths) {
      expect((await call('PATCH', p, { body: { name: 'x' } })).status).toBe(404);
      expect((await call('DELETE', p)).status).toBe(404);
      const r = await call('POST', `${p}/roll`);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
    // the other workspace's call changed nothing
    const l = await call('GET', `/v1/admin/workspaces/${ws1}/keys`);
    expect(l.body.keys[0]).toMatchObject({ name: 'srv', status: 'active', revoked_at: null });
  });

  it('revokes idempotently: the second DELETE returns the same revoked_at', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'secret', name: 'srv' });
    const other = await newKey(ws, { type: 'secret', name: 'other' });
    const r1 = await call('DELETE', `/v1/admin/workspaces/${ws}/keys/${k.id}`);
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ id: k.id, status: 'revoked', revoked_at: expect.any(String) });
    await new Promise((r) => setTimeout(r, 5));
    const r2 = await call('DELETE', `/v1/admin/workspaces/${ws}/keys/${k.id}`);
    expect(r2.status).toBe(200);
    expect(r2.body.revoked_at).toBe(r1.body.revoked_at);
    const l = await call('GET', `/v1/admin/workspaces/${ws}/keys`);
    const byId = Object.fromEntries(l.body.keys.map((x: { id: string }) => [x.id, x]));
    expect(byId[k.id].status).toBe('revoked');
    expect(byId[other.id].status).toBe('active');
    expect((await store.keys.getKeyByHash(hashKey(k.key)))?.revoked_at).toBe(r1.body.revoked_at);
  });

  it('rolls with an overlap: new key, same type/name/allow-list, old expires later', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'publishable', name: 'web', allowed_domains: ['example.com'] });
    const bystander = await newKey(ws, { type: 'secret', name: 'bystander' });
    const before = await store.keys.getKeyByHash(hashKey(bystander.key));
    const t0 = Date.now();
    const r = await call('POST', `/v1/admin/workspaces/${ws}/keys/${k.id}/roll`, {
      body: { overlap_seconds: 3600 },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      type: 'publishable',
      name: 'web',
      allowed_domains: ['example.com'],
      status: 'active',
      key: expect.stringMatching(/^pk_live_/),
    });
    issuedKeys.push(r.body.key);
    expect(r.body.id).not.toBe(k.id);
    expect(r.body.previous).toMatchObject({ id: k.id, status: 'active', revoked_at: null });
    const exp = Date.parse(r.body.previous.expires_at);
    expect(exp).toBeGreaterThanOrEqual(t0 + 3600_000 - 1000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    expect(r.body.previous.key).toBeUndefined();
    // both keys resolve; the bystander is untouched
    expect((await store.keys.getKeyByHash(hashKey(k.key)))?.expires_at).toBe(r.body.previous.expires_at);
    expect(await store.keys.getKeyByHash(hashKey(r.body.key))).toMatchObject({
      id: r.body.id,
      workspace_id: ws,
    });
    expect(await store.keys.getKeyByHash(hashKey(bystander.key))).toEqual(before);

    // a key is rolled once: again is 409 conflict naming the successor, and the expiry stays
    const again = await call('POST', `/v1/admin/workspaces/${ws}/keys/${k.id}/roll`, {
      body: { overlap_seconds: 7200 },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(r.body.id);
    expect((await store.keys.getKeyByHash(hashKey(k.key)))?.expires_at).toBe(r.body.previous.expires_at);
  });

  it('rolls with the default overlap of one day', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'secret', name: 'srv' });
    const t0 = Date.now();
    const r = await call('POST', `/v1/admin/workspaces/${ws}/keys/${k.id}/roll`);
    expect(r.status).toBe(201);
    issuedKeys.push(r.body.key);
    expect(r.body.key).toMatch(/^sk_live_/);
    expect(Date.parse(r.body.previous.expires_at) - t0).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(Date.parse(r.body.previous.expires_at) - t0).toBeLessThanOrEqual(86_400_000 + 5000);
  });

  it('rolls with overlap 0: the old key is revoked now; rolling it again is refused', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'secret', name: 'srv' });
    const r = await call('POST', `/v1/admin/workspaces/${ws}/keys/${k.id}/roll`, {
      body: { overlap_seconds: 0 },
    });
    expect(r.status).toBe(201);
    issuedKeys.push(r.body.key);
    expect(r.body.previous).toMatchObject({ id: k.id, status: 'revoked' });
    expect(r.body.previous.expires_at).toBe(r.body.previous.revoked_at);
    const stored = await store.keys.getKeyByHash(hashKey(k.key));
    expect(stored?.revoked_at).toBeTruthy();
    const again = await call('POST', `/v1/admin/workspaces/${ws}/keys/${k.id}/roll`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(again.body.error.message).toContain(r.body.id);
    const l = await call('GET', `/v1/admin/workspaces/${ws}/keys`);
    const st = Object.fromEntries(l.body.keys.map((x: { id: string; status: string }) => [x.id, x.status]));
    expect(st).toEqual({ [k.id]: 'revoked', [r.body.id]: 'active' });
  });

  it.each([
    [{ overlap_seconds: -1 }],
    [{ overlap_seconds: 1.5 }],
    [{ overlap_seconds: '60' }],
    [{ overlap: 60 }],
  ])('roll refuses %j', async (body) => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'secret', name: 'srv' });
    const r = await call('POST', `/v1/admin/workspaces/${ws}/keys/${k.id}/roll`, { body });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    expect(r.body.error.param).toBe(Object.keys(body)[0]);
    expect((await store.keys.getKeyByHash(hashKey(k.key)))?.expires_at).toBeUndefined();
  });

  it('concurrent revokes agree on one revoked_at', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'secret', name: 'srv' });
    const rs = await Promise.all(
      Array.from({ length: 8 }, () => call('DELETE', `/v1/admin/workspaces/${ws}/keys/${k.id}`)),
    );
    expect(new Set(rs.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(rs.map((r) => r.body.revoked_at)).size).toBe(1);
  });
});

describe('races', () => {
  it('roll racing revoke: the old key ends revoked; a roll either happened whole or not at all', async () => {
    for (let round = 0; round < 5; round++) {
      const ws = await newWorkspace();
      const k = await newKey(ws, { type: 'secret', name: 'srv' });
      const [roll, revoke] = await Promise.all([
        call('POST', `/v1/admin/workspaces/${ws}/keys/${k.id}/roll`, { body: { overlap_seconds: 600 } }),
        call('DELETE', `/v1/admin/workspaces/${ws}/keys/${k.id}`),
      ]);
      expect(revoke.status).toBe(200);
      expect([201, 400]).toContain(roll.status);
      const list = (await call('GET', `/v1/admin/workspaces/${ws}/keys`)).body.keys;
      const old = list.find((x: { id: string }) => x.id === k.id);
      expect(old.status).toBe('revoked');
      expect(old.revoked_at).toBe(revoke.body.revoked_at);
      if (roll.status === 201) {
        issuedKeys.push(roll.body.key);
        expect(list).toHaveLength(2);
        expect(old.expires_at).toBe(roll.body.previous.expires_at);
        expect(await store.keys.getKeyByHash(hashKey(roll.body.key))).toMatchObject({ id: roll.body.id });
      } else {
        expect(list).toHaveLength(1);
        expect(old.expires_at).toBeNull();
      }
    }
  });

  it('concurrent rolls: one creates a key, the others are 409 conflict (a key is rolled once)', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'secret', name: 'srv' });
    const rs = await Promise.all(
      [900, 300, 600].map((overlap_seconds) =>
        call('POST', `/v1/admin/workspaces/${ws}/keys/${k.id}/roll`, { body: { overlap_seconds } }),
      ),
    );
    expect(rs.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const won = rs.find((r) => r.status === 201) as (typeof rs)[number];
    issuedKeys.push(won.body.key);
    const list = (await call('GET', `/v1/admin/workspaces/${ws}/keys`)).body.keys;
    expect(list).toHaveLength(2);
    const old = list.find((x: { id: string }) => x.id === k.id);
    expect(old.expires_at).toBe(won.body.previous.expires_at);
  });
});

describe('admin routes refuse API keys', () => {
  it('answers 403 forbidden to an x-api-key header or ?key= on every admin route', async () => {
    const ws = await newWorkspace();
    const k = await newKey(ws, { type: 'secret', name: 'srv' });
    const base = `/v1/admin/workspaces/${ws}`;
    const routes: [string, string, unknown?][] = [
      ['POST', '/v1/admin/workspaces', { name: 'x', monthly_quota: 1 }],
      ['GET', base],
      ['PATCH', base, { name: 'x' }],
      ['POST', `${base}/keys`, { type: 'secret', name: 'x' }],
      ['GET', `${base}/keys`],
      ['PATCH', `${base}/keys/${k.id}`, { name: 'x' }],
      ['DELETE', `${base}/keys/${k.id}`],
      ['POST', `${base}/keys/${k.id}/roll`],
      ['GET', `${base}/usage`],
    ];
    for (const [method, path, body] of routes) {
      const h = await call(method, path, { body, headers: { 'x-api-key': k.key } });
      expect([method, path, h.status, h.body.error.code]).toEqual([method, path, 403, 'forbidden']);
      const q = await call(method, path, { body, query: { key: k.key } });
      // a secret key in the URL has leaked: 401 invalid_key and flagged (spec section 1)
      expect([method, path, q.status, q.body.error.code]).toEqual([method, path, 401, 'invalid_key']);
    }
    // nothing changed
    const l = await call('GET', `${base}/keys`);
    expect(l.body.keys).toHaveLength(1);
    expect(l.body.keys[0]).toMatchObject({ name: 'srv', status: 'active' });
  });
});

describe('the full key is never stored or logged', () => {
  it('no DynamoDB item and no log line contains any issued key', async () => {
    expect(issuedKeys.length).toBeGreaterThan(5);
    const items: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo().send(
        new ScanCommand({ TableName: process.env.AVTRZ_TABLE, ExclusiveStartKey: start }),
      );
      for (const it of page.Items ?? []) items.push(JSON.stringify(it));
      start = page.LastEvaluatedKey;
    } while (start);
    const dump = items.join('\n');
    // the scan does see this suite's keys (by hash), so the check below can fail
    expect(dump).toContain(hashKey(issuedKeys[0]));
    expect(logLines.length).toBeGreaterThan(10);
    const logs = logLines.join('');
    expect(logs).toContain('key created');
    for (const key of issuedKeys) {
      expect(dump).not.toContain(key);
      expect(logs).not.toContain(key);
      // not even the random part without its prefix
      expect(dump).not.toContain(key.slice(8));
      expect(logs).not.toContain(key.slice(8));
    }
  });
});
