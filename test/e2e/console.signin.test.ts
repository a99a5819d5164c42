/**
 * The console's sign-in on the local stack, over real HTTP (spec section 11): the OIDC issuer
 * stand-in's discovery document and JWKS, the one-click picker, authorization code + PKCE at
 * /oidc/token (S256 checked, a code used once, redirect_uri checked), and the tokens it issues
 * opening `/v1/console/…`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { LOCAL_CLIENT_ID, MEMBER_EMAIL, OPERATOR_EMAIL } from '../../lib/local/oidc';
import { adminHeaders, useLocalStack } from '../support/local-stack';

const stack = useLocalStack('console-signin');

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function authorizeParams(challenge: string, extra: Record<string, string> = {}) {
  return new URLSearchParams({
    response_type: 'code',
    client_id: LOCAL_CLIENT_ID,
    redirect_uri: `${stack.apiUrl}/console/`,
    scope: 'openid email avtrz/console',
    state: 'st-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
}

/** The picker's form posted for `email`: the code in the redirect. */
async function codeFor(email: string, challenge: string): Promise<string> {
  const sub = stack.oidc.users().find((u) => u.email === email)?.sub ?? '';
  const form = authorizeParams(challenge);
  form.set('user', sub);
  const res = await fetch(`${stack.apiUrl}/oidc/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(`${stack.apiUrl}/console/`);
  expect(location.searchParams.get('state')).toBe('st-123');
  return location.searchParams.get('code') ?? '';
}

function exchange(code: string, verifier: string, redirectUri = `${stack.apiUrl}/console/`) {
  return fetch(`${stack.apiUrl}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: LOCAL_CLIENT_ID,
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    }),
  });
}

describe('the OIDC issuer stand-in', () => {
  test('publishes a discovery document and a JWKS under /oidc on the API port', async () => {
    const d = await (await fetch(`${stack.apiUrl}/oidc/.well-known/openid-configuration`)).json();
    expect(d).toMatchObject({
      issuer: `${stack.apiUrl}/oidc`,
      authorization_endpoint: `${stack.apiUrl}/oidc/authorize`,
      token_endpoint: `${stack.apiUrl}/oidc/token`,
      jwks_uri: `${stack.apiUrl}/oidc/.well-known/jwks.json`,
      code_challenge_methods_supported: ['S256'],
    });
    const jwks = await (await fetch(d.jwks_uri)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined(); // never the private part
  });

  test('the picker: one labelled button per seeded user, no script, a CSP without script-src', async () => {
    const res = await fetch(`${stack.apiUrl}/oidc/authorize?${authorizeParams(pkce().challenge)}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    for (const email of [OPERATOR_EMAIL, MEMBER_EMAIL]) {
      expect(html).toMatch(
        new RegExp(`<button type="submit" name="user" value="[^"]+" aria-label="Sign in as ${email}`),
      );
    }
  });

  test('a redirect_uri that is not the registered console URL gets an error page, never a redirect', async () => {
    const res = await fetch(
      `${stack.apiUrl}/oidc/authorize?${authorizeParams(pkce().challenge, { redirect_uri: 'https://evil.example/console/' })}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  test('code + verifier → an RS256 access token like Cognito’s, verified by the JWKS; the code works once', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(MEMBER_EMAIL, challenge);
    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = await res.json();
    expect(tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid email avtrz/console',
    });
    const jwks = createLocalJWKSet(await (await fetch(`${stack.apiUrl}/oidc/.well-known/jwks.json`)).json());
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: `${stack.apiUrl}/oidc`,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      client_id: LOCAL_CLIENT_ID,
      token_use: 'access',
      scope: 'openid email avtrz/console',
      // added by the same pre-token-generation trigger the user pool runs
      'custom:workspaces': stack.demo.workspaceId,
    });
    expect(payload.aud).toBeUndefined();
    expect(typeof payload.exp).toBe('number');
    expect(typeof payload.iat).toBe('number');
    const id = await jwtVerify(tokens.id_token, jwks, {
      issuer: `${stack.apiUrl}/oidc`,
      audience: LOCAL_CLIENT_ID,
    });
    expect(id.payload).toMatchObject({ email: MEMBER_EMAIL, token_use: 'id' });

    const again = await exchange(code, verifier);
    expect(again.status).toBe(400);
    expect((await again.json()).error).toBe('invalid_grant');
  });

  test('a wrong code_verifier → 400 invalid_grant, and the code is spent', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(OPERATOR_EMAIL, challenge);
    const wrong = await exchange(code, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toBe('invalid_grant');
    expect((await exchange(code, verifier)).status).toBe(400);
  });

  test('a redirect_uri other than the authorization request’s → 400 invalid_grant', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(OPERATOR_EMAIL, challenge);
    const res = await exchange(code, verifier, `${stack.apiUrl.replace('127.0.0.1', 'localhost')}/console/`);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('invalid_grant');
  });

  test('a signed-in user reaches /v1/console/workspaces with the access token', async () => {
    const { verifier, challenge } = pkce();
    const tokens = await (await exchange(await codeFor(OPERATOR_EMAIL, challenge), verifier)).json();
    const res = await fetch(`${stack.apiUrl}/v1/console/workspaces`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.workspaces.map((w: { id: string }) => w.id)).toContain(stack.demo.workspaceId);
  });

  test('adding a user needs the admin token; the new user is on the picker', async () => {
    const add = (headers: Record<string, string>) =>
      fetch(`${stack.apiUrl}/oidc/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ email: 'new@example.com', workspaces: [stack.demo.workspaceId] }),
      });
    expect((await add({})).status).toBe(403);
    const res = await add(adminHeaders(stack));
    expect(res.status).toBe(201);
    expect((await res.json()).user).toMatchObject({
      email: 'new@example.com',
      workspaces: [stack.demo.workspaceId],
    });
    expect((await add(adminHeaders(stack))).status).toBe(409);
    const html = await (
      await fetch(`${stack.apiUrl}/oidc/authorize?${authorizeParams(pkce().challenge)}`)
    ).text();
    expect(html).toContain('Sign in as new@example.com');
  });

  test('a body over 16 KiB to /oidc/users is a 400 naming body, and no user is added', async () => {
    const before = stack.oidc.users().length;
    const res = await fetch(`${stack.apiUrl}/oidc/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders(stack) },
      body: JSON.stringify({ email: 'big@example.com', pad: 'x'.repeat(17 * 1024) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { param: 'body' } });
    expect(stack.oidc.users()).toHaveLength(before);
  });

  test('CORS: the console origins get the HTTP API’s answer to a preflight, others nothing', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.apiUrl}/v1/console/workspaces`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const local = stack.apiUrl.replace('127.0.0.1', 'localhost');
    const ok = await preflight(local);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(local);
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});
