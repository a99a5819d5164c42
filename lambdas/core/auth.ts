/**
 * API key authentication (spec sections 1–2), free of I/O: the key lookup and the exposure
 * flag are passed in (lambdas/app/authenticate.ts wires them to the store and the key cache).
 *
 * Order: extract → secret-in-query refusal → shape/checksum (no I/O) → lookup by sha256 →
 * revoked/expired → route permission → domain allow-list.
 */
import { domainVerdict } from './domains';
import { AvtrzError } from './errors';
import { hashKey, type KeyType, looksLikeType, parseKey } from './keys/format';

export type AuthRoute = 'avatar' | 'batch' | 'usage';

/** What the key cache holds for a key hash: the key record plus its workspace's quota. */
export interface KeyPrincipal {
  key_id: string;
  workspace_id: string;
  type: KeyType;
  allowed_domains: string[];
  revoked_at?: string;
  expires_at?: string;
  monthly_quota: number;
}

export interface AuthContext {
  keyId: string;
  workspaceId: string;
  type: KeyType;
  monthlyQuota: number;
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

export async function authenticateWith(deps: AuthDeps, input: AuthInput): Promise<AuthContext> {
  const { headers, query, route, now } = input;
  const fromQuery = query.key;
  const fromHeader = headers['x-api-key'];

  // a repeated ?key= arrives comma-joined (API Gateway); keys never contain a comma, so a secret
  // key in any of the values is in the URL and must be refused and flagged
  const queryKeys = present(fromQuery) ? fromQuery.split(',').map((k) => k.trim()) : [];
  const secretsInQuery = queryKeys.filter((k) => looksLikeType(k) === 'secret');
  if (secretsInQuery.length) {
    for (const k of new Set(secretsInQuery)) {
      if (parseKey(k) === 'secret') await deps.markExposed(hashKey(k), now.toISOString());
    }
    throw new AvtrzError('invalid_key', SECRET_IN_QUERY_MESSAGE);
  }

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

  return { keyId: p.key_id, workspaceId: p.workspace_id, type, monthlyQuota: p.monthly_quota };
}
