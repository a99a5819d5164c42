/**
 * Stack options from CDK context (`-c key=value` or cdk.json "context"), validated up front.
 * Pure functions, no aws-cdk-lib import: a bad value fails `cdk synth` before any construct is
 * built, with one message listing every problem and the context key to fix.
 *
 * Keys
 *   stage                dev | prod (required)
 *   apiDomainName        custom domain for the API, e.g. api.avatars.example.com
 *   apiCertificateArn    ACM certificate for apiDomainName, in the stack's region
 *   cdnDomainName        custom domain for the CDN, e.g. img.avatars.example.com
 *   cdnCertificateArn    ACM certificate for cdnDomainName, in us-east-1 (CloudFront)
 *   throttleRateLimit    API stage steady-state requests/second (default 100)
 *   throttleBurstLimit   API stage burst (default 200)
 *   upstreamUrl          photo provider template with {profile} (default: none, initials only)
 *   keyCacheSeconds      key-record cache TTL in the functions, 0-3600 (default 30)
 *   logRetentionDays     CloudWatch retention for function and access logs (default 30)
 *   tracing              true | false: X-Ray active tracing on the functions (default false)
 */

export type Stage = 'dev' | 'prod';
export const STAGES: readonly Stage[] = ['dev', 'prod'];

export interface CustomDomain {
  domainName: string;
  certificateArn: string;
}

export interface StackOptions {
  stage: Stage;
  apiDomain?: CustomDomain;
  cdnDomain?: CustomDomain;
  throttle: { rateLimit: number; burstLimit: number };
  upstreamUrl?: string;
  keyCacheSeconds: number;
  logRetentionDays: number;
  tracing: boolean;
}

export const DEFAULTS = {
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  keyCacheSeconds: 30,
  logRetentionDays: 30,
} as const;

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const CONTEXT_KEYS = [
  'stage',
  'apiDomainName',
  'apiCertificateArn',
  'cdnDomainName',
  'cdnCertificateArn',
  'throttleRateLimit',
  'throttleBurstLimit',
  'upstreamUrl',
  'keyCacheSeconds',
  'logRetentionDays',
  'tracing',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

export class ContextError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid CDK context:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContextError';
  }
}

const DOMAIN_RE = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN_RE = /^arn:aws(?:-[a-z]+)*:acm:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):certificate\/[0-9a-f-]{36}$/;

/** Empty / unset context values (`-c key=` gives ''). */
function absent(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

export function validateStage(v: unknown): Stage {
  if (absent(v)) throw new ContextError([`stage is required: pass -c stage=dev or -c stage=prod`]);
  if (typeof v !== 'string' || !(STAGES as readonly string[]).includes(v)) {
    throw new ContextError([`stage must be one of ${STAGES.join(', ')}, got ${JSON.stringify(v)}`]);
  }
  return v as Stage;
}

/** A lowercase DNS name with at least two labels, no scheme, port, path or trailing dot. */
export function validateDomainName(key: string, v: unknown): string {
  if (typeof v !== 'string' || !DOMAIN_RE.test(v)) {
    throw new ContextError([
      `${key} must be a lowercase DNS name such as api.example.com (no scheme, port or path), got ${JSON.stringify(v)}`,
    ]);
  }
  return v;
}

/** An ACM certificate ARN; `region` pins the region it must live in (us-east-1 for CloudFront). */
export function validateCertificateArn(key: string, v: unknown, region?: string): string {
  const m = typeof v === 'string' ? ACM_ARN_RE.exec(v) : null;
  if (!m) {
    throw new ContextError([
      `${key} must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<uuid>, got ${JSON.stringify(v)}`,
    ]);
  }
  if (region && m[1] !== region) {
    throw new ContextError([`${key} must be a certificate in ${region}, got one in ${m[1]}`]);
  }
  return v as string;
}

export function validateInt(key: string, v: unknown, dflt: number, min: number, max: number): number {
  if (absent(v)) return dflt;
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ContextError([`${key} must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`]);
  }
  return n;
}

export function validateBoolean(key: string, v: unknown, dflt: boolean): boolean {
  if (absent(v)) return dflt;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ContextError([`${key} must be true or false, got ${JSON.stringify(v)}`]);
}

/**
 * The photo provider template: an absolute http(s) URL containing `{profile}`, without
 * credentials or a fragment. Plain http is allowed: the operator's provider origin is trusted
 * as configured (ARCHITECTURE.md, "Photo source").
 */
export function validateUpstreamUrl(v: unknown): string | undefined {
  if (absent(v)) return undefined;
  const key = 'upstreamUrl';
  if (typeof v !== 'string') throw new ContextError([`${key} must be a string, got ${JSON.stringify(v)}`]);
  if (!v.includes('{profile}')) {
    throw new ContextError([
      `${key} must contain {profile}, e.g. https://provider.example/photo?profile={profile}; got ${JSON.stringify(v)}`,
    ]);
  }
  let u: URL;
  try {
    u = new URL(v.replaceAll('{profile}', 'x'));
  } catch {
    throw new ContextError([`${key} must be an absolute URL, got ${JSON.stringify(v)}`]);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new ContextError([`${key} must use http or https, got ${u.protocol.replace(':', '')}`]);
  }
  if (u.username || u.password) throw new ContextError([`${key} must not contain credentials`]);
  if (u.hash) throw new ContextError([`${key} must not contain a #fragment`]);
  return v;
}

function validateDomainPair(
  prefix: 'api' | 'cdn',
  get: (key: ContextKey) => unknown,
  certRegion?: string,
): CustomDomain | undefined {
  const nameKey = `${prefix}DomainName` as ContextKey;
  const certKey = `${prefix}CertificateArn` as ContextKey;
  const name = get(nameKey);
  const cert = get(certKey);
  if (absent(name) && absent(cert)) return undefined;
  if (absent(name)) throw new ContextError([`${certKey} is set but ${nameKey} is not: set both or neither`]);
  if (absent(cert)) throw new ContextError([`${nameKey} is set but ${certKey} is not: set both or neither`]);
  return {
    domainName: validateDomainName(nameKey, name),
    certificateArn: validateCertificateArn(certKey, cert, certRegion),
  };
}

/**
 * Read and validate every option. `get` is `(k) => app.node.tryGetContext(k)` in the app and a
 * plain object lookup in tests. `region` (when the stack's region is known) pins the API
 * certificate's region. Every problem is reported at once.
 */
export function parseStackOptions(get: (key: ContextKey) => unknown, region?: string): StackOptions {
  const problems: string[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ContextError) {
        problems.push(...e.problems);
        return undefined;
      }
      throw e;
    }
  };
  const stage = attempt(() => validateStage(get('stage')));
  const apiDomain = attempt(() => validateDomainPair('api', get, region));
  const cdnDomain = attempt(() => validateDomainPair('cdn', get, 'us-east-1'));
  const rateLimit = attempt(() =>
    validateInt('throttleRateLimit', get('throttleRateLimit'), DEFAULTS.throttleRateLimit, 1, 10000),
  );
  const burstLimit = attempt(() =>
    validateInt('throttleBurstLimit', get('throttleBurstLimit'), DEFAULTS.throttleBurstLimit, 1, 5000),
  );
  if (rateLimit !== undefined && burstLimit !== undefined && burstLimit < rateLimit) {
    problems.push(
      `throttleBurstLimit (${burstLimit}) must be at least throttleRateLimit (${rateLimit}): a burst smaller than the steady rate rejects steady traffic`,
    );
  }
  const upstreamUrl = attempt(() => validateUpstreamUrl(get('upstreamUrl')));
  const keyCacheSeconds = attempt(() =>
    validateInt('keyCacheSeconds', get('keyCacheSeconds'), DEFAULTS.keyCacheSeconds, 0, 3600),
  );
  const logRetentionDays = attempt(() => {
    const n = validateInt('logRetentionDays', get('logRetentionDays'), DEFAULTS.logRetentionDays, 1, 3653);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(n)) {
      throw new ContextError([
        `logRetentionDays must be one of CloudWatch's periods (${LOG_RETENTION_DAYS.join(', ')}), got ${n}`,
      ]);
    }
    return n;
  });
  const tracing = attempt(() => validateBoolean('tracing', get('tracing'), false));
  if (problems.length) throw new ContextError(problems);
  return {
    stage: stage as Stage,
    apiDomain,
    cdnDomain,
    throttle: { rateLimit: rateLimit as number, burstLimit: burstLimit as number },
    upstreamUrl,
    keyCacheSeconds: keyCacheSeconds as number,
    logRetentionDays: logRetentionDays as number,
    tracing: tracing as boolean,
  };
}
