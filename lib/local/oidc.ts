/**
 * The local stand-in for the Cognito user pool the console signs in with (spec section 11), served
 * by the local gateway under `/oidc/` on the API's port:
 *
 * - `GET  /oidc/.well-known/openid-configuration`  the discovery document
 * - `GET  /oidc/.well-known/jwks.json`             the public key (RS256, generated at start)
 * - `GET  /oidc/authorize`                         a one-click user picker (authorization code + PKCE)
 * - `POST /oidc/authorize`                         the pick: 302 to the registered redirect with a code
 * - `POST /oidc/token`                             code + verifier → access and ID token (S256 checked,
 *                                                  each code used once, redirect_uri checked)
 * - `GET  /oidc/logout`                            302 to a registered logout_uri (Cognito's /logout)
 * - `POST /oidc/users`                             (admin token) add a user: `npx avtrz users invite`
 *
 * Tokens look like Cognito's: the access token has `client_id` (no `aud`), `token_use: access`,
 * `scope`, `cognito:groups` and, through the SAME pre-token-generation trigger the user pool runs
 * (lambdas/token-claims), `custom:workspaces`. Signing and verifying is `jose`'s, never ours.
 * Redirects go only to the registered console URLs: an unknown client or redirect_uri gets an
 * error page, never a redirect (no open redirect).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { GROUPS_CLAIM, OPERATORS_GROUP, WORKSPACES_CLAIM } from '../../lambdas/core/caller';
import { CONSOLE_SCOPE } from '../../lambdas/routes';
import type { Runtime } from '../../lambdas/runtime';
import { PayloadTooLarge, readBody, writeJson } from './http-io';
import { verifyJwtAuthorizer } from './jwt-authorizer';

export { TokenRejected } from './jwt-authorizer';

import { createHandler as tokenClaimsHandler } from '../../lambdas/token-claims/handler';

export const LOCAL_CLIENT_ID = 'avtrz-console-local';
/** what the console asks for (and every local token carries) */
export const CONSOLE_SCOPES = `openid email ${CONSOLE_SCOPE}`;
export const OIDC_PREFIX = '/oidc';
export const OPERATOR_EMAIL = 'operator@avtrz.local';
export const MEMBER_EMAIL = 'member@avtrz.local';
const TOKEN_SECONDS = 3600;
const CODE_SECONDS = 120;
const MAX_CODES = 1000;
const MAX_USERS = 1000;
const MAX_FORM_BYTES = 16 * 1024;
const EMAIL = /^[^\s@<>"'&]{1,64}@[^\s@<>"'&]{1,190}$/;
const WS_ID = /^ws_[0-9A-Za-z]{16}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export interface LocalUser {
  sub: string;
  email: string;
  groups: string[];
  /** the `custom:workspaces` attribute: workspace ids */
  workspaces: string[];
}

interface PendingCode {
  user: LocalUser;
  redirectUri: string;
  challenge: string;
  scope: string;
  nonce?: string;
  expiresAt: number;
}

export interface OidcIssuer {
  readonly issuer: string;
  readonly clientId: string;
  readonly jwksDocument: JSONWebKeySet;
  /** the console URLs a code may be sent back to (127.0.0.1 and localhost) */
  readonly redirectUris: readonly string[];
  /** the console's origins (CORS on the API and on /oidc/token) */
  readonly consoleOrigins: readonly string[];
  users(): LocalUser[];
  /** the two demo users: the operator, and a member of `demoWorkspaceId` */
  seed(demoWorkspaceId: string): void;
  addUser(input: { email: string; operator?: boolean; workspaces?: string[] }): LocalUser;
  /** an access token as /oidc/token issues it (tests and tools); `claims` override any claim */
  mintAccessToken(user: LocalUser, claims?: JWTPayload): Promise<string>;
  /**
   * The JWT authorizer's checks (API Gateway HTTP API): bearer token, RS256 signature by a key of
   * the JWKS, `iss`, `aud` (else `client_id`), `exp`, `nbf`, and one of `scopes`. Returns the
   * verified claims or throws TokenRejected.
   */
  verify(authorization: string | undefined, scopes: readonly string[]): Promise<JWTPayload>;
  /** serves /oidc/* (false: not an /oidc path) */
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathOnly: string): Promise<boolean>;
}

export interface OidcOptions {
  /** `http://127.0.0.1:<port>`: the issuer is `<apiUrl>/oidc` */
  apiUrl: string;
  adminAuthorized: (authorization: string | undefined) => boolean;
  /** where invited users are kept across restarts (console-users.json); none = memory only */
  dataDir?: string;
  runtime?: () => Runtime | undefined;
  now?: () => Date;
}

export async function createOidcIssuer(opts: OidcOptions): Promise<OidcIssuer> {
  const now = opts.now ?? (() => new Date());
  const issuer = `${opts.apiUrl}${OIDC_PREFIX}`;
  const port = new URL(opts.apiUrl).port;
  const consoleOrigins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  const redirectUris = consoleOrigins.map((o) => `${o}/console/`);
  const kid = randomBytes(8).toString('hex');
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwksDocument: JSONWebKeySet = {
    keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }],
  };
  const jwks = createLocalJWKSet(jwksDocument);
  const codes = new Map<string, PendingCode>();
  const usersFile = opts.dataDir ? path.join(opts.dataDir, 'console-users.json') : undefined;
  const users = new Map<string, LocalUser>();
  for (const u of readUsers(usersFile)) users.set(u.email, u);
  const save = () => {
    if (usersFile)
      writeFileSync(usersFile, `${JSON.stringify([...users.values()], null, 2)}\n`, { mode: 0o600 });
  };

  const addUser: OidcIssuer['addUser'] = (input) => {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new OidcInputError('email', 'email must be an email address.');
    const workspaces = input.workspaces ?? [];
    if (workspaces.some((w) => !WS_ID.test(w)))
      throw new OidcInputError('workspace', 'workspace must be a workspace id (ws_…).');
    if (users.has(email)) throw new OidcInputError('email', `${email} is already a user.`, 409);
    if (users.size >= MAX_USERS) throw new OidcInputError('email', 'The local user list is full.');
    const user: LocalUser = {
      sub: randomUUID(),
      email,
      groups: input.operator ? [OPERATORS_GROUP] : [],
      workspaces: input.operator ? [] : workspaces,
    };
    users.set(email, user);
    save();
    return user;
  };

  /** The pre-token-generation trigger's additions, from the same handler the user pool invokes. */
  const triggerClaims = async (user: LocalUser): Promise<Record<string, string>> => {
    const rt = opts.runtime?.();
    if (!rt) return {};
    const event = {
      version: '2',
      triggerSource: 'TokenGeneration_HostedAuth',
      region: 'local',
      userPoolId: 'local',
      userName: user.sub,
      callerContext: { awsSdkVersion: 'local', clientId: LOCAL_CLIENT_ID },
      request: {
        userAttributes: userAttributes(user),
        groupConfiguration: { groupsToOverride: user.groups },
        scopes: CONSOLE_SCOPES.split(' '),
      },
      response: { claimsAndScopeOverrideDetails: {} },
    } as unknown as PreTokenGenerationV2TriggerEvent;
    const out = await tokenClaimsHandler(rt)(event);
    const add = out.response?.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;
    return (add ?? {}) as Record<string, string>;
  };

  const mintAccessToken: OidcIssuer['mintAccessToken'] = async (user, claims = {}) => {
    const t = Math.floor(now().getTime() / 1000);
    const payload: JWTPayload = {
      sub: user.sub,
      ...(user.groups.length ? { [GROUPS_CLAIM]: user.groups } : {}),
      ...(await triggerClaims(user)),
      iss: issuer,
      client_id: LOCAL_CLIENT_ID,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      token_use: 'access',
      scope: CONSOLE_SCOPES,
      auth_time: t,
      exp: t + TOKEN_SECONDS,
      iat: t,
      jti: randomUUID(),
      username: user.sub,
      ...claims,
    };
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
  };

  const idToken = async (user: LocalUser, nonce?: string) => {
    const t = Math.floor(now().getTime() / 1000);
    return new SignJWT({
      sub: user.sub,
      ...(user.groups.length ? { [GROUPS_CLAIM]: user.groups } : {}),
      ...(user.workspaces.length ? { [WORKSPACES_CLAIM]: user.workspaces.join(',') } : {}),
      email_verified: true,
      'cognito:username': user.sub,
      email: user.email,
      token_use: 'id',
      auth_time: t,
      ...(nonce ? { nonce } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setAudience(LOCAL_CLIENT_ID)
      .setIssuedAt(t)
      .setExpirationTime(t + TOKEN_SECONDS)
      .sign(privateKey);
  };

  const verify: OidcIssuer['verify'] = (authorization, scopes) =>
    verifyJwtAuthorizer(authorization, { jwks, issuer, audience: [LOCAL_CLIENT_ID], scopes, now: now() });

  const discovery = () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    end_session_endpoint: `${issuer}/logout`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: CONSOLE_SCOPES.split(' '),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['none'],
  });

  /** The checks of an authorization request; a bad client or redirect never redirects. */
  const authorizeParams = (p: URLSearchParams) => {
    const clientId = p.get('client_id');
    const redirectUri = p.get('redirect_uri') ?? '';
    if (clientId !== LOCAL_CLIENT_ID)
      return { page: `Unknown client_id: the local console's is ${LOCAL_CLIENT_ID}.` };
    if (!redirectUris.includes(redirectUri))
      return { page: `redirect_uri must be one of the registered console URLs: ${redirectUris.join(', ')}.` };
    const back = (error: string, description: string) => ({
      redirect: withQuery(redirectUri, {
        error,
        error_description: description,
        state: p.get('state') ?? undefined,
      }),
    });
    if (p.get('response_type') !== 'code')
      return back('unsupported_response_type', 'response_type must be code');
    if (p.get('code_challenge_method') !== 'S256')
      return back('invalid_request', 'PKCE is required: code_challenge_method=S256');
    const challenge = p.get('code_challenge') ?? '';
    if (!CHALLENGE.test(challenge))
      return back('invalid_request', 'code_challenge must be a base64url SHA-256');
    const asked = (p.get('scope') ?? '').split(' ').filter(Boolean);
    if (!asked.includes('openid')) return back('invalid_scope', 'scope must include openid');
    const allowed = CONSOLE_SCOPES.split(' ');
    if (asked.some((s) => !allowed.includes(s)))
      return back('invalid_scope', `scopes are: ${CONSOLE_SCOPES}`);
    return {
      ok: {
        redirectUri,
        challenge,
        scope: asked.join(' '),
        state: p.get('state') ?? undefined,
        nonce: p.get('nonce') ?? undefined,
      },
    };
  };

  /** The token endpoint: authorization code + PKCE (S256), each code presented once. */
  const exchangeCode = async (p: URLSearchParams): Promise<{ status: number; body: unknown }> => {
    const fail = (error: string, description: string, status = 400) => ({
      status,
      body: { error, error_description: description },
    });
    if (p.get('grant_type') !== 'authorization_code')
      return fail('unsupported_grant_type', 'grant_type must be authorization_code');
    if (p.get('client_id') !== LOCAL_CLIENT_ID) return fail('invalid_client', 'unknown client_id', 401);
    const code = p.get('code') ?? '';
    const pending = codes.get(code);
    // single use: the code is gone after its first presentation, whatever the outcome
    codes.delete(code);
    if (!pending || pending.expiresAt <= now().getTime())
      return fail('invalid_grant', 'the code is unknown, expired or already used');
    if (p.get('redirect_uri') !== pending.redirectUri)
      return fail('invalid_grant', 'redirect_uri does not match the authorization request');
    const verifier = p.get('code_verifier') ?? '';
    const hashed = createHash('sha256').update(verifier).digest('base64url');
    if (!VERIFIER.test(verifier) || hashed !== pending.challenge)
      return fail('invalid_grant', 'code_verifier does not match the code_challenge');
    return {
      status: 200,
      body: {
        access_token: await mintAccessToken(pending.user, { scope: pending.scope }),
        id_token: await idToken(pending.user, pending.nonce),
        token_type: 'Bearer',
        expires_in: TOKEN_SECONDS,
        scope: pending.scope,
      },
    };
  };

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    pathOnly: string,
  ): Promise<boolean> {
    if (pathOnly !== OIDC_PREFIX && !pathOnly.startsWith(`${OIDC_PREFIX}/`)) return false;
    const sub = pathOnly.slice(OIDC_PREFIX.length);
    const method = (req.method ?? 'GET').toUpperCase();
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin && consoleOrigins.includes(origin)
        ? { 'access-control-allow-origin': origin, vary: 'origin' }
        : {};

    if (sub === '/.well-known/openid-configuration' && method === 'GET') {
      sendJsonBody(res, 200, discovery(), { ...cors, 'cache-control': 'max-age=60' });
    } else if (sub === '/.well-known/jwks.json' && method === 'GET') {
      sendJsonBody(res, 200, jwksDocument, { ...cors, 'cache-control': 'max-age=60' });
    } else if (sub === '/authorize' && (method === 'GET' || method === 'POST')) {
      const params = method === 'GET' ? query : await readForm(req);
      const checked = authorizeParams(params);
      if ('page' in checked) sendPage(res, 400, errorPage(checked.page ?? ''));
      else if ('redirect' in checked) redirect(res, checked.redirect ?? '');
      else if (method === 'GET')
        sendPage(res, 200, pickerPage(params, [...users.values()]), formAction(checked.ok));
      else {
        const user = [...users.values()].find((u) => u.sub === params.get('user'));
        if (!user) {
          sendPage(res, 400, errorPage('Pick one of the listed users.'));
        } else {
          if (codes.size >= MAX_CODES) dropExpired(codes, now().getTime(), true);
          const code = randomBytes(32).toString('base64url');
          const { redirectUri, challenge, scope, nonce, state } = checked.ok;
          codes.set(code, {
            user,
            redirectUri,
            challenge,
            scope,
            nonce,
            expiresAt: now().getTime() + CODE_SECONDS * 1000,
          });
          redirect(res, withQuery(redirectUri, { code, state }));
        }
      }
    } else if (sub === '/token' && method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      });
      res.end();
    } else if (sub === '/token' && method === 'POST') {
      const { status, body } = await exchangeCode(await readForm(req));
      sendJsonBody(res, status, body, { ...cors, 'cache-control': 'no-store', pragma: 'no-cache' });
    } else if (sub === '/logout' && method === 'GET') {
      const target = query.get('logout_uri') ?? '';
      if (query.get('client_id') !== LOCAL_CLIENT_ID || !redirectUris.includes(target)) {
        sendPage(
          res,
          400,
          errorPage(`logout_uri must be one of the registered console URLs: ${redirectUris.join(', ')}.`),
        );
      } else redirect(res, target);
    } else if (sub === '/users' && method === 'POST') {
      if (!opts.adminAuthorized(req.headers.authorization)) {
        sendJsonBody(
          res,
          403,
          oidcError('forbidden', 'Adding a local user needs Authorization: Bearer <admin token>.'),
        );
        return true;
      }
      try {
        const body = JSON.parse((await readBodyLimited(req)).toString('utf8') || '{}');
        const user = addUser({
          email: String(body?.email ?? ''),
          operator: body?.operator === true,
          workspaces: Array.isArray(body?.workspaces) ? body.workspaces.map(String) : [],
        });
        sendJsonBody(res, 201, { user: userView(user) });
      } catch (e) {
        if (e instanceof OidcInputError)
          sendJsonBody(
            res,
            e.status,
            oidcError(e.status === 409 ? 'conflict' : 'invalid_request', e.message, e.param),
          );
        else if (e instanceof SyntaxError)
          sendJsonBody(res, 400, oidcError('invalid_request', 'The body is not valid JSON.', 'body'));
        else throw e;
      }
    } else if (sub === '/users' && method === 'GET') {
      if (!opts.adminAuthorized(req.headers.authorization)) {
        sendJsonBody(
          res,
          403,
          oidcError('forbidden', 'Listing local users needs Authorization: Bearer <admin token>.'),
        );
      } else sendJsonBody(res, 200, { users: [...users.values()].map(userView) });
    } else {
      sendJsonBody(res, 404, oidcError('not_found', 'Not found.'));
    }
    return true;
  }

  return {
    issuer,
    clientId: LOCAL_CLIENT_ID,
    jwksDocument,
    redirectUris,
    consoleOrigins,
    users: () => [...users.values()],
    seed(demoWorkspaceId) {
      const operator = users.get(OPERATOR_EMAIL);
      if (!operator) addUser({ email: OPERATOR_EMAIL, operator: true });
      const member = users.get(MEMBER_EMAIL);
      if (!member) addUser({ email: MEMBER_EMAIL, workspaces: [demoWorkspaceId] });
      else if (!member.workspaces.includes(demoWorkspaceId)) {
        // the demo workspace was re-created (table wiped): the member follows it
        member.workspaces = [demoWorkspaceId];
        save();
      }
    },
    addUser,
    mintAccessToken,
    verify,
    handle,
  };
}

class OidcInputError extends Error {
  constructor(
    readonly param: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function oidcError(code: string, message: string, param?: string) {
  return { error: { code, message, ...(param ? { param } : {}) } };
}

function userView(u: LocalUser) {
  return { sub: u.sub, email: u.email, groups: u.groups, workspaces: u.workspaces };
}

function userAttributes(u: LocalUser): Record<string, string> {
  return {
    sub: u.sub,
    email: u.email,
    email_verified: 'true',
    ...(u.workspaces.length ? { [WORKSPACES_CLAIM]: u.workspaces.join(',') } : {}),
  };
}

function readUsers(file: string | undefined): LocalUser[] {
  if (!file || !existsSync(file)) return [];
  try {
    const list = JSON.parse(readFileSync(file, 'utf8'));
    if (!Array.isArray(list)) return [];
    return list.filter(
      (u): u is LocalUser =>
        typeof u?.sub === 'string' &&
        typeof u?.email === 'string' &&
        Array.isArray(u?.groups) &&
        Array.isArray(u?.workspaces),
    );
  } catch {
    return [];
  }
}

function dropExpired(codes: Map<string, PendingCode>, at: number, oldestToo: boolean): void {
  for (const [c, p] of codes) if (p.expiresAt <= at) codes.delete(c);
  if (oldestToo && codes.size >= MAX_CODES) {
    const first = codes.keys().next().value;
    if (first !== undefined) codes.delete(first);
  }
}

function withQuery(base: string, params: Record<string, string | undefined>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

/** The body, at most MAX_FORM_BYTES (the gateway's reader; too large is the caller's 400). */
async function readBodyLimited(req: http.IncomingMessage): Promise<Buffer> {
  try {
    return await readBody(req, MAX_FORM_BYTES);
  } catch (e) {
    if (e instanceof PayloadTooLarge) throw new OidcInputError('body', 'The body is too large.');
    throw e;
  }
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  try {
    return new URLSearchParams((await readBodyLimited(req)).toString('utf8'));
  } catch {
    return new URLSearchParams();
  }
}

function sendJsonBody(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  writeJson(res, status, body, { 'x-content-type-options': 'nosniff', ...headers });
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** CSP of the stand-in's pages: no script at all; the form may post here and the code go back to the console. */
function formAction(ok?: { redirectUri: string }): string {
  const back = ok ? ` ${new URL(ok.redirectUri).origin}` : '';
  return `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${back}; frame-ancestors 'none'; base-uri 'none'`;
}

function sendPage(res: http.ServerResponse, status: number, html: string, csp = formAction()): void {
  const payload = Buffer.from(html);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': payload.length,
    'cache-control': 'no-store',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(payload);
}

const PAGE_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#111}' +
  'button{display:block;width:100%;margin:.5rem 0;padding:.75rem 1rem;font:inherit;text-align:left;' +
  'border:1px solid #555;border-radius:.4rem;background:#fff;color:#111;cursor:pointer}' +
  'button:focus{outline:3px solid #1a5fb4;outline-offset:2px}small{display:block;color:#444}';

function pageShell(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function errorPage(message: string): string {
  return pageShell(
    'Sign-in error · avtrz local',
    `<h1>Sign-in error</h1><p role="alert">${escapeHtml(message)}</p>`,
  );
}

/** The one-click picker: a form per request, one labelled submit button per user. */
function pickerPage(params: URLSearchParams, users: LocalUser[]): string {
  const hidden = [
    'response_type',
    'client_id',
    'redirect_uri',
    'scope',
    'state',
    'nonce',
    'code_challenge',
    'code_challenge_method',
  ]
    .filter((k) => params.get(k) !== null)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params.get(k) ?? '')}">`)
    .join('');
  const buttons = users
    .map((u) => {
      const role = u.groups.includes(OPERATORS_GROUP)
        ? 'operator: every workspace'
        : `member of ${u.workspaces.length ? u.workspaces.join(', ') : 'no workspace'}`;
      return `<button type="submit" name="user" value="${escapeHtml(u.sub)}" aria-label="Sign in as ${escapeHtml(u.email)} (${escapeHtml(role)})">${escapeHtml(u.email)}<small>${escapeHtml(role)}</small></button>`;
    })
    .join('');
  return pageShell(
    'Sign in · avtrz local',
    `<h1>Sign in to the avtrz console</h1><p>Local stack: pick a user (no password). In AWS this is the Cognito sign-in page.</p><form method="post" action="${OIDC_PREFIX}/authorize">${hidden}${buttons}</form>`,
  );
}
