/**
 * The ONE config module, read once per runtime (runtime/index.ts: at the first use after a cold start). A malformed variable fails fast with a message
 * naming it. A variable is required only where it is used: each function gets from the stack
 * only what its route's access needs (the usage and admin functions have no bucket, the fallback
 * has nothing), so `tableName`, `bucketName` and `cdnUrl` throw ConfigError naming the variable
 * when read without it, not when the config loads. Local mode changes only where clients point (AWS_ENDPOINT_URL_*),
 * never what the handlers decide. AVTRZ_LOG_LEVEL is read by the runtime's logger alone: the logger
 * must work before (and to report) a config error.
 */
export interface Config {
  stage: string;
  /** AVTRZ_TABLE; every function but the fallback */
  readonly tableName: string;
  /** AVTRZ_BUCKET; the functions whose route access names the bucket */
  readonly bucketName: string;
  /** origin (and optional base path) every avatar Location starts with, e.g. https://d123.cloudfront.net */
  readonly cdnUrl: string;
  /** AVTRZ_KEY_CACHE_SECONDS: default 30, 0 = no cache */
  keyCacheSeconds: number;
  /** AVTRZ_UPSTREAM_URL: photo provider template with {profile}; undefined = initials for everyone */
  upstreamUrl?: string;
  /** AVTRZ_REFRESH_DAYS: default 30 */
  refreshDays: number;
  /** AVTRZ_MISS_RECHECK_HOURS: how long "the provider has no photo" holds; default 24 */
  missRecheckHours: number;
  /** AVTRZ_RESOLVER_FUNCTION: name of the resolver Lambda to invoke on a miss */
  resolverFunction?: string;
  /** AVTRZ_HMAC_SECRET (local/tests) or AVTRZ_HMAC_SECRET_ARN (Secrets Manager, AWS) */
  hmacSecret?: string;
  hmacSecretArn?: string;
}

export class ConfigError extends Error {}

function missing(name: string): never {
  throw new ConfigError(`Missing required environment variable ${name}`);
}

function intVar(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function urlVar(name: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${raw}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError(`${name} must be http(s)`);
  return raw.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const upstream = env.AVTRZ_UPSTREAM_URL || undefined;
  if (upstream !== undefined) {
    urlVar('AVTRZ_UPSTREAM_URL', upstream.replace('{profile}', 'x'));
    if (!upstream.includes('{profile}')) throw new ConfigError('AVTRZ_UPSTREAM_URL must contain {profile}');
  }
  // optional here: only the functions that name objects get the secret (lambdas/routes.ts
  // access.hmacSecret); runtime/secret.ts fails with this message where it is needed
  const hmacSecret = env.AVTRZ_HMAC_SECRET || undefined;
  const hmacSecretArn = env.AVTRZ_HMAC_SECRET_ARN || undefined;
  if (hmacSecret && hmacSecret.length < 16)
    throw new ConfigError('AVTRZ_HMAC_SECRET must be at least 16 chars');
  const table = env.AVTRZ_TABLE || undefined;
  const bucket = env.AVTRZ_BUCKET || undefined;
  // a malformed URL is still refused at load; only its absence waits until it is read
  const cdn = env.AVTRZ_CDN_URL ? urlVar('AVTRZ_CDN_URL', env.AVTRZ_CDN_URL) : undefined;
  return {
    stage: env.AVTRZ_STAGE || 'dev',
    get tableName() {
      return table ?? missing('AVTRZ_TABLE');
    },
    get bucketName() {
      return bucket ?? missing('AVTRZ_BUCKET');
    },
    get cdnUrl() {
      return cdn ?? missing('AVTRZ_CDN_URL');
    },
    keyCacheSeconds: intVar(env, 'AVTRZ_KEY_CACHE_SECONDS', 30, 0, 3600),
    upstreamUrl: upstream,
    refreshDays: intVar(env, 'AVTRZ_REFRESH_DAYS', 30, 1, 3650),
    missRecheckHours: intVar(env, 'AVTRZ_MISS_RECHECK_HOURS', 24, 1, 8760),
    resolverFunction: env.AVTRZ_RESOLVER_FUNCTION || undefined,
    hmacSecret,
    hmacSecretArn,
  };
}
