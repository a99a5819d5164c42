/**
 * Spec section 1: a key is rolled once. Rolling it again answers 409 conflict naming its
 * successor; N concurrent rolls of one key against DynamoDB Local give exactly one 201 and one
 * active successor, the others 409 naming that same successor.
 */
import { hashKey } from '../../../lambdas/core/keys/format';
import { call } from '../../support/admin-events';
import { workspaceWithKeys } from '../../support/avatar-fixtures';
import { store } from '../../support/runtime';

const roll = (ws: string, id: string, body?: unknown) =>
  call('POST', `/v1/admin/workspaces/${ws}/keys/${id}/roll`, { body });

test.each([8, 3])(
  '%i concurrent rolls of one key: exactly one 201, the rest 409 naming its successor',
  async (n) => {
    const W = await workspaceWithKeys(1000);
    const rs = await Promise.all(
      Array.from({ length: n }, (_, i) => roll(W.ws, W.skId, { overlap_seconds: 600 + i })),
    );
    const created = rs.filter((r) => r.status === 201);
    expect(rs.map((r) => r.status).sort()).toEqual([201, ...Array(n - 1).fill(409)]);
    const successor = created[0].body.id;
    for (const r of rs.filter((x) => x.status === 409)) {
      expect(r.body.error).toMatchObject({ code: 'conflict', type: 'request' });
      expect(r.body.error.message).toContain(successor);
    }
    // one successor exists and is active; the old key carries the winner's expiry
    const keys = (await call('GET', `/v1/admin/workspaces/${W.ws}/keys`)).body.keys;
    const secrets = keys.filter((k: { type: string }) => k.type === 'secret');
    expect(secrets.map((k: { id: string }) => k.id).sort()).toEqual([W.skId, successor].sort());
    expect(secrets.find((k: { id: string }) => k.id === successor).status).toBe('active');
    expect((await store.keys.getKeyByHash(hashKey(W.sk)))?.expires_at).toBe(
      created[0].body.previous.expires_at,
    );
  },
);

test('rolling a rolled key later: 409 conflict naming the successor, and nothing changes', async () => {
  const W = await workspaceWithKeys(1000);
  const first = await roll(W.ws, W.pkId, { overlap_seconds: 3600 });
  expect(first.status).toBe(201);
  const before = await store.keys.getKeyByHash(hashKey(W.pk));
  const again = await roll(W.ws, W.pkId, { overlap_seconds: 60 });
  expect(again.status).toBe(409);
  expect(again.body.error).toMatchObject({ code: 'conflict', type: 'request' });
  expect(again.body.error.message).toContain(first.body.id);
  expect(await store.keys.getKeyByHash(hashKey(W.pk))).toEqual(before);
  expect((await call('GET', `/v1/admin/workspaces/${W.ws}/keys`)).body.keys).toHaveLength(3);
});

test('a key rolled with overlap 0 (revoked at once): rolling again is 409 naming its successor', async () => {
  const W = await workspaceWithKeys(1000);
  const first = await roll(W.ws, W.skId, { overlap_seconds: 0 });
  expect(first.status).toBe(201);
  const again = await roll(W.ws, W.skId);
  expect(again.status).toBe(409);
  expect(again.body.error.message).toContain(first.body.id);
});

test('the successor itself can be rolled (control)', async () => {
  const W = await workspaceWithKeys(1000);
  const first = await roll(W.ws, W.skId);
  const second = await roll(W.ws, first.body.id);
  expect(second.status).toBe(201);
  expect(second.body.previous.id).toBe(first.body.id);
});
