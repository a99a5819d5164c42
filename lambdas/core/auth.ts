/**
 * API key authentication (spec sections 1–2), free of I/O: the key lookup and the exposure
 * flag are passed in (lambdas/app/authenticate.ts wires them to the store and the key cache).
 *
 * Order: secret-in-query refusal (any parameter) → extract → shape/checksum (no I/O) → lookup by sha256 →
 * revoked/expired → route permission → domain allow-list.
 */
import { domainVerdict } from './domains';
import { AvtrzError } from './errors';
import { hashKey, type KeyType, looksLikeType, parseKey } from './keys/format';

/** The key-authenticated routes; only `avatar` admits publishable keys. */
export type AuthRoute = 'avatar' | 'batch' | 'usage' | 'mcp';

/** What the key cache holds for a key hash: the key record plus its workspace's quota. */
export interface KeyPrincipal {
  key_id: string;
  workspace_id: string;
  type: KeyType;
  allowed_domains: string[];
  revoked_at?: string;
  expires_at?: string;
  monthly_quota: number;
  /** the workspace's budget shards (absent = 1) */
  shards?: number;
}

export interface AuthContext {
  keyId: string;
  workspaceId: string;
  type: KeyType;
  monthlyQuota: number;
  /** the workspace's budget shards (absent = 1; docs/scaling.md) */
  shards?: number;
}

export interface AuthDeps {
  /** key record + workspace quota by sha256 hex; undefined = unknown key */
  lookup(hash: string): Promise<KeyPrincipal | undefined>;
  /** flag a secret key seen in a query string (no-op for unknown keys) */
  markExposed(hash: string, at: string): Promise<void>;
  /**
   * a known, active key was refused for where the request came from (`site`: core/domains.ts
   * blockedSiteName); never called for unknown, revoked or expired keys. Must not throw.
   */
  blocked?(p: KeyPrincipal, site: string, at: Date): Promise<void>;
}

export interface AuthInput {
  /** lower-cased header names */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  route: AuthRoute;
  now: Date;
}

export const SECRET_IN_QUERY_MESSAGE =
  'Secret keys go in the x-api-key header only, never in the URL. A secret key sent in a URL is flagged as exposed in the key list: roll it.';
export const BEARER_MESSAGE =
  'API keys are not accepted as Authorization: Bearer tokens. Send the key in the x-api-key header.';

function present(v: string | undefined): v is string {
  return typeof v === 'string' && v !== '';
}

/**
 * A secret key's shape wherever it appears: `sk_live_` not preceded by a base62 character (so it
 * starts a token), with the base62 run that follows it.
 */
const SECRET_SHAPED = /(?<![0-9A-Za-z])sk_live_[0-9A-Za-z]*/g;
const KEY_LENGTH = 46;

/**
 * Every secret-key-shaped string in a query: in any parameter's name or value, anywhere inside it
 * (a repeated parameter arrives comma-joined from API Gateway; keys never contain a comma). In
 * `?key=`, where only publishable keys belong, any value starting with `sk_` counts too.
 */
export function secretKeysInQuery(query: Record<string, string | undefined>): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(query)) {
    for (const text of [name, value ?? '']) for (const m of text.matchAll(SECRET_SHAPED)) found.add(m[0]);
  }
  for (const k of (query.key ?? '').split(',')) {
    const t = k.trim();
    if (looksLikeType(t) === 'secret') found.add(t);
  }
  return [...found];
}

/**
 * A secret key in the URL has leaked (logs, history, Referer): refuse the request whatever else
 * authorises it, and flag every real key found (the key itself, or a key run on with more
 * characters) so the operator sees it in the key list and rolls it. Used by every route: the
 * key-authenticated ones here, the admin ones through lambdas/http/admin.ts.
 */
export async function refuseSecretsInQuery(
  deps: Pick<AuthDeps, 'markExposed'>,
  query: Record<string, string | undefined>,
  now: Date,
): Promise<void> {
  const shaped = secretKeysInQuery(query);
  if (!shaped.length) return;
  const real = new Set<string>();
  for (const s of shaped) {
    if (parseKey(s) === 'secret') real.add(s);
    else if (s.length > KEY_LENGTH && parseKey(s.slice(0, KEY_LENGTH)) === 'secret')
      real.add(s.slice(0, KEY_LENGTH));
  }
  for (const k of real) await deps.markExposed(hashKey(k), now.toISOString());
  throw new AvtrzError('invalid_key', SECRET_IN_QUERY_MESSAGE);
}

export async function authenticateWith(deps: AuthDeps, input: AuthInput): Promise<AuthContext> {
  const { headers, query, route, now } = input;
  const fromQuery = query.key;
  const fromHeader = headers['x-api-key'];

  await refuseSecretsInQuery(deps, query, now);

  const raw = present(fromHeader) ? fromHeader : present(fromQuery) ? fromQuery : undefined;
  if (raw === undefined) {
    const auth = headers.authorization;
    if (present(auth) && /^bearer\s/i.test(auth.trim())) throw new AvtrzError('missing_key', BEARER_MESSAGE);
    throw new AvtrzError('missing_key');
  }

  const key = raw.trim();
  const type = parseKey(key);
  if (!type) throw new AvtrzError('invalid_key');

  const p = await deps.lookup(hashKey(key));
  if (!p || p.type !== type) throw new AvtrzError('invalid_key');
  if (p.revoked_at) throw new AvtrzError('invalid_key');
  if (p.expires_at && Date.parse(p.expires_at) <= now.getTime()) throw new AvtrzError('invalid_key');

  if (type === 'publishable' && route !== 'avatar') {
    throw new AvtrzError('forbidden', 'Publishable keys may only call GET /v1/avatar; use a secret key.');
  }
  const verdict = domainVerdict(type, p.allowed_domains ?? [], headers.origin, headers.referer, {
    workspaceId: p.workspace_id,
    keyId: p.key_id,
  });
  if (!verdict.allowed) {
    await deps.blocked?.(p, verdict.site, now);
    throw verdict.error;
  }

  const ctx: AuthContext = {
    keyId: p.key_id,
    workspaceId: p.workspace_id,
    type,
    monthlyQuota: p.monthly_quota,
  };
  if (p.shards !== undefined && p.shards !== 1) ctx.shards = p.shards;
  return ctx;
}
