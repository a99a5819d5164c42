/**
 * The console's rules in the use cases (app/access.ts, app/workspaces.ts), in-process against
 * DynamoDB Local with the claims API Gateway's JWT authorizer passes: on EVERY console route with
 * a `{ws}` (taken from the route table, so a new route is covered), a member reaches only their
 * workspaces and another one answers exactly like a missing one.
 */
import '../support/log-debug';
import { ROUTES } from '../../lambdas/routes';
import { call } from '../support/admin-events';

const MISSING = 'ws_0000000000000000';
let mineId: string;
let otherId: string;
let otherKey: string;
const member = () => ({ sub: 'm1', 'custom:workspaces': mineId });

beforeAll(async () => {
  const a = await call('POST', '/v1/admin/workspaces', { body: { name: 'mine', monthly_quota: 10 } });
  const b = await call('POST', '/v1/admin/workspaces', { body: { name: 'other', monthly_quota: 10 } });
  mineId = a.body.id;
  otherId = b.body.id;
  const k = await call('POST', `/v1/admin/workspaces/${otherId}/keys`, {
    body: { type: 'secret', name: 's' },
  });
  otherKey = k.body.id;
});

const wsRoutes = ROUTES.filter((r) => r.auth === 'console' && r.path.includes('{ws}'));
const bodies: Record<string, unknown> = {
  'PATCH /v1/console/workspaces/{ws}': { name: 'renamed' },
  'POST /v1/console/workspaces/{ws}/keys': { type: 'secret', name: 'x' },
  'PATCH /v1/console/workspaces/{ws}/keys/{id}': { name: 'x' },
  'POST /v1/console/workspaces/{ws}/keys/{id}/roll': { overlap_seconds: 0 },
};

test('the route table has console twins for every {ws} admin route', () => {
  expect(wsRoutes.length).toBe(ROUTES.filter((r) => r.auth === 'admin' && r.path.includes('{ws}')).length);
  expect(wsRoutes.length).toBeGreaterThanOrEqual(8);
});

describe.each(wsRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (key, route) => {
  const path = (ws: string) => route.path.replace('{ws}', ws).replace('{id}', otherKey);
  test("a member: another workspace answers the missing workspace's 404, and nothing changes", async () => {
    const other = await call(route.method, path(otherId), { body: bodies[key], claims: member() });
    const missing = await call(route.method, path(MISSING), { body: bodies[key], claims: member() });
    expect({ key, status: other.status }).toEqual({ key, status: 404 });
    expect(other.body.error).toEqual({ ...missing.body.error, request_id: other.body.error.request_id });
  });
});

test('an operator (claims) reaches the other workspace; so does /v1/admin (IAM)', async () => {
  const claims = { sub: 'o1', 'cognito:groups': '[avtrz-operators]' };
  expect((await call('GET', `/v1/console/workspaces/${otherId}/keys`, { claims })).status).toBe(200);
  expect((await call('GET', `/v1/admin/workspaces/${otherId}/keys`)).status).toBe(200);
  // nothing the member tried above touched the other workspace
  const ws = await call('GET', `/v1/admin/workspaces/${otherId}`);
  expect(ws.body.name).toBe('other');
  const keys = await call('GET', `/v1/admin/workspaces/${otherId}/keys`);
  expect(keys.body.keys.map((k: { id: string; status: string }) => [k.id, k.status])).toEqual([
    [otherKey, 'active'],
  ]);
});

test('a member in their own workspace: keys and rename yes; create workspace or change the quota → 403', async () => {
  expect((await call('GET', `/v1/console/workspaces/${mineId}/keys`, { claims: member() })).status).toBe(200);
  const renamed = await call('PATCH', `/v1/console/workspaces/${mineId}`, {
    body: { name: 'mine 2' },
    claims: member(),
  });
  expect(renamed.status).toBe(200);
  const quota = await call('PATCH', `/v1/console/workspaces/${mineId}`, {
    body: { monthly_quota: 1_000_000 },
    claims: member(),
  });
  expect(quota.status).toBe(403);
  expect(quota.body.error.code).toBe('forbidden');
  const create = await call('POST', '/v1/console/workspaces', {
    body: { name: 'n', monthly_quota: 1 },
    claims: member(),
  });
  expect(create.status).toBe(403);
  expect((await call('GET', `/v1/admin/workspaces/${mineId}`)).body.monthly_quota).toBe(10);
});
