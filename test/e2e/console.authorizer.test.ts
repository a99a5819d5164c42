/**
 * `/v1/console/…` through the local gateway's JWT authorizer stand-in and the use cases' rules,
 * over real HTTP (spec section 11): who sees which workspace, and every token the authorizer must
 * refuse (401; 403 without the scope) with the catalogue's error body.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { MEMBER_EMAIL, OPERATOR_EMAIL } from '../../lib/local/oidc';
import { adminPost, useLocalStack } from '../support/local-stack';

const stack = useLocalStack('console-authorizer');

const user = (email: string) => {
  const u = stack.oidc.users().find((x) => x.email === email);
  if (!u) throw new Error(`no ${email}`);
  return u;
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function get(path: string, headers: Record<string, string>) {
  return fetch(`${stack.apiUrl}${path}`, { headers });
}

let other: { id: string };
let operatorToken: string;
let memberToken: string;

beforeAll(async () => {
  other = await adminPost(stack, '/v1/admin/workspaces', { name: 'Someone else', monthly_quota: 100 });
  operatorToken = await stack.oidc.mintAccessToken(user(OPERATOR_EMAIL));
  memberToken = await stack.oidc.mintAccessToken(user(MEMBER_EMAIL));
});

describe('who sees what', () => {
  test('an operator (group avtrz-operators) lists and opens every workspace', async () => {
    const list = await (await get('/v1/console/workspaces', bearer(operatorToken))).json();
    const ids = list.workspaces.map((w: { id: string }) => w.id);
    expect(ids).toEqual(expect.arrayContaining([stack.demo.workspaceId, other.id]));
    expect(ids.indexOf(other.id)).toBeLessThan(ids.indexOf(stack.demo.workspaceId)); // newest first
    expect((await get(`/v1/console/workspaces/${other.id}`, bearer(operatorToken))).status).toBe(200);
  });

  test('a member lists only the workspaces of custom:workspaces', async () => {
    const res = await get('/v1/console/workspaces', bearer(memberToken));
    expect(res.status).toBe(200);
    const list = await res.json();
    expect(list.workspaces.map((w: { id: string }) => w.id)).toEqual([stack.demo.workspaceId]);
  });

  test('a member opens their workspace and its keys; another workspace answers 404 as if missing', async () => {
    expect((await get(`/v1/console/workspaces/${stack.demo.workspaceId}`, bearer(memberToken))).status).toBe(
      200,
    );
    expect(
      (await get(`/v1/console/workspaces/${stack.demo.workspaceId}/keys`, bearer(memberToken))).status,
    ).toBe(200);
    for (const path of [`/v1/console/workspaces/${other.id}`, `/v1/console/workspaces/${other.id}/keys`]) {
      const res = await get(path, bearer(memberToken));
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      const missing = await get(path.replace(other.id, 'ws_0000000000000000'), bearer(memberToken));
      expect((await res.json()).error.message).toBe((await missing.json()).error.message);
    }
  });

  test('a member may rename their workspace but not create one or change its quota (403)', async () => {
    const send = (method: string, path: string, body: unknown) =>
      fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: { ...bearer(memberToken), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await send('POST', '/v1/console/workspaces', { name: 'mine', monthly_quota: 5 });
    expect(created.status).toBe(403);
    expect((await created.json()).error.code).toBe('forbidden');
    const ws = `/v1/console/workspaces/${stack.demo.workspaceId}`;
    expect((await send('PATCH', ws, { monthly_quota: 1_000_000 })).status).toBe(403);
    expect((await send('PATCH', ws, { name: 'Demo (renamed)' })).status).toBe(200);
  });

  test('the admin route stays operator-level with the admin token', async () => {
    const res = await get('/v1/admin/workspaces', { authorization: `Bearer ${stack.adminToken}` });
    expect(res.status).toBe(200);
    expect((await res.json()).workspaces.length).toBeGreaterThanOrEqual(2);
  });
});

describe('tokens the authorizer refuses', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

  const cases: [string, () => Promise<string>, number][] = [
    ['expired', async () => stack.oidc.mintAccessToken(user(OPERATOR_EMAIL), { exp: now() - 60 }), 401],
    [
      'not yet valid (nbf)',
      async () => stack.oidc.mintAccessToken(user(OPERATOR_EMAIL), { nbf: now() + 600 }),
      401,
    ],
    [
      'a wrong audience',
      async () => stack.oidc.mintAccessToken(user(OPERATOR_EMAIL), { aud: 'another-client' }),
      401,
    ],
    [
      'a wrong client_id',
      async () => stack.oidc.mintAccessToken(user(OPERATOR_EMAIL), { client_id: 'another-client' }),
      401,
    ],
    [
      'a wrong issuer',
      async () => stack.oidc.mintAccessToken(user(OPERATOR_EMAIL), { iss: 'https://issuer.example' }),
      401,
    ],
    [
      'a signature by another key (same kid)',
      async () => {
        const good = await stack.oidc.mintAccessToken(user(OPERATOR_EMAIL));
        const [header, payload] = good.split('.');
        const { privateKey } = await generateKeyPair('RS256');
        const forged = await new SignJWT(JSON.parse(Buffer.from(payload, 'base64url').toString()))
          .setProtectedHeader(JSON.parse(Buffer.from(header, 'base64url').toString()))
          .sign(privateKey);
        return forged;
      },
      401,
    ],
    [
      'alg none',
      async () => {
        const good = await stack.oidc.mintAccessToken(user(OPERATOR_EMAIL));
        return `${b64({ alg: 'none', typ: 'JWT' })}.${good.split('.')[1]}.`;
      },
      401,
    ],
    [
      'HS256 keyed with the public key',
      async () => {
        const good = await stack.oidc.mintAccessToken(user(OPERATOR_EMAIL));
        const secret = new TextEncoder().encode(JSON.stringify(stack.oidc.jwksDocument.keys[0]));
        return new SignJWT(JSON.parse(Buffer.from(good.split('.')[1], 'base64url').toString()))
          .setProtectedHeader({ alg: 'HS256', kid: stack.oidc.jwksDocument.keys[0].kid })
          .sign(secret);
      },
      401,
    ],
    ['a publishable key as the bearer', async () => stack.demo.publishableKey, 401],
    ['a secret key as the bearer', async () => stack.demo.secretKey, 401],
    ['the admin token as the bearer', async () => stack.adminToken, 401],
    [
      'no avtrz/console scope',
      async () => stack.oidc.mintAccessToken(user(OPERATOR_EMAIL), { scope: 'openid email' }),
      403,
    ],
  ];

  test.each(cases.map(([name, token, status]) => [`${name} → ${status}`, token, status] as const))(
    '%s, in the catalogue shape',
    async (_name, token, status) => {
      const res = await get(`/v1/console/workspaces/${stack.demo.workspaceId}`, bearer(await token()));
      expect(res.status).toBe(status);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const { error } = await res.json();
      expect(error).toMatchObject({ code: status === 401 ? 'unauthorized' : 'forbidden', type: 'auth' });
      expect(typeof error.request_id).toBe('string');
    },
  );

  test('no Authorization header → 401', async () => {
    const res = await get('/v1/console/workspaces', {});
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });

  test.each([
    ['a secret key', () => stack.demo.secretKey],
    ['a publishable key', () => stack.demo.publishableKey],
  ])('a valid token with %s in x-api-key → 403 forbidden, as on /v1/admin', async (_name, key) => {
    const res = await get('/v1/console/workspaces', { ...bearer(operatorToken), 'x-api-key': key() });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/API keys may not call the management API/);
  });
});
