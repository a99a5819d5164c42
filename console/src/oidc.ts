/**
 * OpenID Connect sign-in for a single-page app: authorization code + PKCE (S256), no client
 * secret. The verifier, state and nonce wait in sessionStorage for the one redirect; tokens live
 * in sessionStorage (this tab only, gone when it closes), never in localStorage or a cookie.
 */
import type { ConsoleConfig } from './config';

const PENDING = 'avtrz.console.pending';
const TOKENS = 'avtrz.console.tokens';

export interface Session {
  accessToken: string;
  idToken?: string;
  /** epoch ms */
  expiresAt: number;
  /** display claims from the id token (the API checks the access token itself) */
  email?: string;
  groups: string[];
}

interface Endpoints {
  authorization: string;
  token: string;
  logout?: string;
}

function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const random = (n: number) => b64url(crypto.getRandomValues(new Uint8Array(n)));

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

/** The claims of a JWT, without verifying it: for display only (the API verifies). */
export function jwtClaims(token: string | undefined): Record<string, unknown> {
  try {
    const part = (token ?? '').split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(part);
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

let discovered: Promise<Endpoints> | undefined;
function endpoints(cfg: ConsoleConfig): Promise<Endpoints> {
  const logout = cfg.endSessionEndpoint;
  if (cfg.authorizationEndpoint && cfg.tokenEndpoint) {
    return Promise.resolve({ authorization: cfg.authorizationEndpoint, token: cfg.tokenEndpoint, logout });
  }
  discovered ??= fetch(`${cfg.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`)
    .then((r) => {
      if (!r.ok) throw new Error(`The sign-in service's discovery document answered ${r.status}.`);
      return r.json();
    })
    .then((d) => ({ authorization: d.authorization_endpoint, token: d.token_endpoint, logout }));
  return discovered;
}

/** Leave for the issuer's sign-in page; back at redirectUri with ?code&state. */
export async function signIn(cfg: ConsoleConfig, returnTo: string): Promise<void> {
  const ep = await endpoints(cfg);
  const verifier = random(32);
  const state = random(16);
  const nonce = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo }));
  const u = new URL(ep.authorization);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    scope: cfg.scope,
    state,
    nonce,
    code_challenge: await pkceChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(u.toString());
}

function toSession(t: { access_token: string; id_token?: string; expires_in?: number }): Session {
  const id = jwtClaims(t.id_token);
  const access = jwtClaims(t.access_token);
  const exp = typeof access.exp === 'number' ? access.exp * 1000 : Date.now() + (t.expires_in ?? 3600) * 1000;
  const groups = (id['cognito:groups'] ?? access['cognito:groups'] ?? []) as string[];
  return {
    accessToken: t.access_token,
    idToken: t.id_token,
    expiresAt: exp,
    email: (id.email ?? access.email ?? access.username) as string | undefined,
    groups: Array.isArray(groups) ? groups : [],
  };
}

/**
 * After the redirect: swap ?code for tokens (checking state and the id token's nonce).
 * Returns where to go next, or undefined when this page load is not a sign-in callback.
 */
export async function completeSignIn(cfg: ConsoleConfig): Promise<string | undefined> {
  const q = new URLSearchParams(location.search);
  if (!q.has('code') && !q.has('error')) return undefined;
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (q.has('error'))
    throw new Error(`Sign-in was refused: ${q.get('error_description') ?? q.get('error')}.`);
  const pending = raw ? JSON.parse(raw) : undefined;
  if (!pending || pending.state !== q.get('state')) {
    throw new Error('This sign-in answer does not belong to this tab. Sign in again.');
  }
  const ep = await endpoints(cfg);
  const res = await fetch(ep.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: q.get('code') as string,
      redirect_uri: cfg.redirectUri,
      client_id: cfg.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!res.ok) throw new Error(`The sign-in service refused the code (${res.status}). Sign in again.`);
  const tokens = await res.json();
  if (tokens.id_token && jwtClaims(tokens.id_token).nonce !== pending.nonce) {
    throw new Error('The sign-in answer failed its nonce check. Sign in again.');
  }
  sessionStorage.setItem(TOKENS, JSON.stringify(toSession(tokens)));
  return typeof pending.returnTo === 'string' && pending.returnTo.startsWith('/') ? pending.returnTo : '/';
}

/** The signed-in session of this tab, unless it has expired. */
export function currentSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(TOKENS) ?? 'null') as Session | null;
    if (s && s.expiresAt > Date.now() + 10_000) return s;
  } catch {
    /* unreadable: signed out */
  }
  sessionStorage.removeItem(TOKENS);
  return undefined;
}

export async function signOut(cfg: ConsoleConfig): Promise<void> {
  sessionStorage.removeItem(TOKENS);
  const ep = await endpoints(cfg).catch(() => undefined);
  if (ep?.logout) {
    const u = new URL(ep.logout);
    u.search = new URLSearchParams({ client_id: cfg.clientId, logout_uri: cfg.redirectUri }).toString();
    location.assign(u.toString());
  } else location.assign(cfg.redirectUri);
}
