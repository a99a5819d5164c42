/**
 * Spec section 1: a secret key anywhere in the query string, on every route (key-authenticated and
 * admin), is answered 401 invalid_key with the header-only message, and a real key gets
 * `exposed_at` — whatever the parameter is called, repeated or not, beside a valid header key.
 * Handlers in-process against DynamoDB Local.
 */
import { SECRET_IN_QUERY_MESSAGE } from '../../../lambdas/core/auth';
import { hashKey } from '../../../lambdas/core/keys/format';
import { ROUTES } from '../../../lambdas/routes';
import { call } from '../../support/admin-events';
import { APP_ORIGIN, newKey, workspaceWithKeys } from '../../support/avatar-fixtures';
import { invoke } from '../../support/events';
import { store, testRuntime } from '../../support/runtime';

// biome-ignore lint/suspicious/noExplicitAny: each handler module has the same createHandler shape
const handlerOf = (folder: string): any =>
  require(`../../../lambdas/${folder}/handler`).createHandler(testRuntime);

async function exposedAt(key: string): Promise<string | undefined> {
  return (await store.keys.getKeyByHash(hashKey(key)))?.exposed_at;
}

describe('key-authenticated routes', () => {
  let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
  beforeAll(async () => {
    W = await workspaceWithKeys(1000);
  });

  const requests = {
    avatar: (query: Record<string, string>, headers: Record<string, string>) => ({
      query: { linkedin_url: 'linkedin.com/in/query-secret', ...query },
      headers: { ...APP_ORIGIN, accept: 'application/json', ...headers },
    }),
    batch: (query: Record<string, string>, headers: Record<string, string>) => ({
      method: 'POST',
      path: '/v1/avatars/batch',
      query,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ items: [{ linkedin_url: 'linkedin.com/in/query-secret' }] }),
    }),
    usage: (query: Record<string, string>, headers: Record<string, string>) => ({
      path: '/v1/usage',
      query,
      headers,
    }),
  };

  test.each([
    ['avatar', 'api_key', false],
    ['avatar', 'x-api-key', true],
    ['avatar', 'token', true],
    ['batch', 'api_key', false],
    ['batch', 'x-api-key', true],
    ['usage', 'secret', true],
    ['usage', 'api_key', false],
  ] as const)(
    '%s: ?%s=<secret key> (header key: %s) → 401 invalid_key and the key is flagged',
    async (route, param, withHeader) => {
      const leaked = (await newKey(W.ws, 'secret')).key;
      const header: Record<string, string> = withHeader
        ? { 'x-api-key': route === 'avatar' ? W.pk : W.sk }
        : {};
      const res = await invoke(handlerOf(route), requests[route]({ [param]: leaked }, header));
      expect({ status: res.status, code: res.json?.error?.code, message: res.json?.error?.message }).toEqual({
        status: 401,
        code: 'invalid_key',
        message: SECRET_IN_QUERY_MESSAGE,
      });
      expect(await exposedAt(leaked)).toEqual(expect.any(String));
      // the header key that authorised nothing here is not flagged
      if (withHeader) expect(await exposedAt(route === 'avatar' ? W.pk : W.sk)).toBeUndefined();
    },
  );

  test('a repeated parameter with the secret in its second value, next to a valid publishable ?key=', async () => {
    const leaked = (await newKey(W.ws, 'secret')).key;
    const res = await invoke(handlerOf('avatar'), requests.avatar({ key: W.pk, k: `x,${leaked}` }, {}));
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ code: 'invalid_key', message: SECRET_IN_QUERY_MESSAGE });
    expect(await exposedAt(leaked)).toEqual(expect.any(String));
  });
});

describe('admin routes (IAM-authorised; the handler sees the query)', () => {
  const admin = ROUTES.filter((r) => r.auth === 'admin');

  test('every admin route answers 401 invalid_key to a secret key in any parameter and flags it', async () => {
    const W = await workspaceWithKeys(1000);
    const paths: Record<string, string> = { ws: W.ws, id: W.pkId };
    const seen: unknown[] = [];
    for (const route of admin) {
      const leaked = (await newKey(W.ws, 'secret')).key;
      const path = route.path.replace(/\{(\w+)\}/g, (_m, p: string) => paths[p]);
      const r = await call(route.method, path, {
        query: { [route.method === 'GET' ? 'key' : 'api_key']: leaked },
        body: route.method === 'POST' || route.method === 'PATCH' ? { name: 'x' } : undefined,
      });
      seen.push({
        route: route.id,
        status: r.status,
        code: r.body?.error?.code,
        message: r.body?.error?.message,
        flagged: typeof (await exposedAt(leaked)) === 'string',
      });
    }
    expect(seen).toEqual(
      admin.map((route) => ({
        route: route.id,
        status: 401,
        code: 'invalid_key',
        message: SECRET_IN_QUERY_MESSAGE,
        flagged: true,
      })),
    );
    // nothing was changed by the refused calls: the rolled, revoked and renamed key is as it was
    expect(await store.keys.getKey(W.ws, W.pkId)).toMatchObject({ name: 'web' });
    expect((await store.keys.getKey(W.ws, W.pkId))?.revoked_at).toBeUndefined();
    expect((await store.keys.getKey(W.ws, W.pkId))?.expires_at).toBeUndefined();
  });

  test('an API key without a secret in the URL is still 403 forbidden (control)', async () => {
    const W = await workspaceWithKeys(1000);
    const r = await call('GET', `/v1/admin/workspaces/${W.ws}`, { query: { key: W.pk } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
  });
});
