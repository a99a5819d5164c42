/**
 * The rules of API Gateway's HTTP API JWT authorizer, with `jose` doing the cryptography: the
 * bearer token from `Authorization` (with or without `Bearer `), its signature by a key of the
 * issuer's JWKS (RSA only: RS256), `iss`, `aud` when present else `client_id` against the
 * audience list, `exp` and `nbf`, and at least one of the route's scopes in `scope`. Used by the
 * local gateway (against the local OIDC stand-in) and by the deployed-shape tier's API Gateway
 * stand-in (against the template's JwtConfiguration).
 */
import { type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** One token problem: the status API Gateway answers and what its `www-authenticate` says. */
export class TokenRejected extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly wwwAuthenticate: string,
    message: string,
  ) {
    super(message);
  }
}

export interface JwtAuthorizerConfig {
  jwks: JWTVerifyGetKey;
  issuer: string;
  audience: readonly string[];
  /** the route's authorization scopes (one is enough) */
  scopes: readonly string[];
  now?: Date;
}

export async function verifyJwtAuthorizer(
  authorization: string | undefined,
  config: JwtAuthorizerConfig,
): Promise<JWTPayload> {
  const reject = (description: string) =>
    new TokenRejected(
      401,
      `Bearer scope="" error="invalid_token" error_description="${description}"`,
      description,
    );
  const m = /^(?:Bearer\s+)?(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) throw reject('the token is missing');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(m[1], config.jwks, {
      issuer: config.issuer,
      algorithms: ['RS256'],
      currentDate: config.now,
    }));
  } catch (e) {
    throw reject(describeJoseError(e));
  }
  // API Gateway checks `aud` when present, else `client_id`
  const aud = payload.aud === undefined ? undefined : [payload.aud].flat();
  const ok = aud
    ? aud.some((a) => config.audience.includes(a))
    : typeof payload.client_id === 'string' && config.audience.includes(payload.client_id);
  if (!ok) throw reject('the token does not have a valid audience');
  const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (config.scopes.length && !config.scopes.some((s) => granted.includes(s))) {
    const wanted = config.scopes.join(' ');
    throw new TokenRejected(
      403,
      `Bearer scope="${wanted}" error="insufficient_scope" error_description="the token does not have the scope ${wanted}"`,
      `The token does not have the scope ${wanted}.`,
    );
  }
  return payload;
}

function describeJoseError(e: unknown): string {
  switch ((e as { code?: string })?.code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (e as { claim?: string }).claim;
      if (claim === 'iss') return 'the token does not have a valid issuer';
      if (claim === 'nbf') return 'the token is not valid yet';
      return `the token's ${claim ?? 'claims'} are not valid`;
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token is not signed with RS256';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'the token signature is not valid';
    default:
      return 'the token is not a valid JWT';
  }
}
