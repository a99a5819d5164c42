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
 *   hostedZoneId         Route 53 public hosted zone holding the custom domains (with hostedZoneName)
 *   hostedZoneName       that zone's name, e.g. avatars.example.com; both or neither; with them the
 *                        stack creates A/AAAA alias records for apiDomainName and cdnDomainName
 *   cdnLogging           true | false: CloudFront standard logs to the logs bucket (default true,
 *                        false in opt-in regions, where true is refused: see OPT_IN_REGIONS)
 *   resolverConcurrency  reserved concurrency of the photo resolver, 1-1000 (default 10)
 */

export type Stage = 'dev' | 'prod';
export const STAGES: readonly Stage[] = ['dev', 'prod'];

export interface CustomDomain {
  domainName: string;
  certificateArn: string;
}

export interface HostedZone {
  hostedZoneId: string;
  zoneName: string;
}

export interface StackOptions {
  stage: Stage;
  apiDomain?: CustomDomain;
  cdnDomain?: CustomDomain;
  /** where the alias records of the custom domains go; unset = the operator sets DNS by hand */
  hostedZone?: HostedZone;
  /** CloudFront standard logging (legacy) to the logs bucket */
  cdnLogging: boolean;
  /** reserved concurrent executions of the resolver */
  resolverConcurrency: number;
  throttle: { rateLimit: number; burstLimit: number };
  upstreamUrl?: string;
  keyCacheSeconds: number;
  logRetentionDays: number;
  tracing: boolean;
  /** the console user pool's MFA: optional (default) or required (-c consoleMfa=required) */
  consoleMfa: 'optional' | 'required';
}

export const DEFAULTS = {
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  keyCacheSeconds: 30,
  logRetentionDays: 30,
  /**
   * Ten resolvers at once is ~5-10 provider lookups a second (each is a fetch of up to a few
   * seconds plus a sharp resize at 1024 MB), plenty for first sightings of new profiles, which is
   * all the resolver serves; known avatars never reach it. The reservation caps the load a burst of
   * unknown profiles puts on the photo provider and keeps it from taking the account's shared
   * concurrency from the API functions; above it a waiting caller serves the initials for that one
   * request and stores nothing (the next request tries again), and a background refresh is retried
   * by Lambda until its event age runs out.
   */
  resolverConcurrency: 10,
} as const;

/**
 * Regions disabled by default (opt-in). CloudFront standard logging (legacy) does not deliver logs
 * to S3 buckets in these regions, and the stack's logs bucket lives in the stack's region, so
 * `cdnLogging` defaults to false there and `cdnLogging=true` is refused.
 */
export const OPT_IN_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

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
  'hostedZoneId',
  'hostedZoneName',
  'cdnLogging',
  'resolverConcurrency',
  'consoleMfa',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

export class ContextError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid CDK context:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContextError';
  }
}

const DOMAIN_RE = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** Route 53 hosted zone ids: `Z` and upper-case letters/digits (no `/hostedzone/` prefix). */
const HOSTED_ZONE_ID_RE = /^Z[A-Z0-9]{4,32}$/;
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

/**
 * The hosted zone pair (both or neither). With a zone, every configured custom domain must lie in
 * it (Route 53 refuses a record outside its zone), and at least one must be configured: the zone
 * is used for nothing else.
 */
export function validateHostedZone(
  get: (key: ContextKey) => unknown,
  /** `domain` is the validated pair, undefined when unset or invalid (reported elsewhere) */
  domains: readonly { key: ContextKey; domain?: CustomDomain }[],
): HostedZone | undefined {
  const id = get('hostedZoneId');
  const name = get('hostedZoneName');
  if (absent(id) && absent(name)) return undefined;
  if (absent(name))
    throw new ContextError(['hostedZoneId is set but hostedZoneName is not: set both or neither']);
  if (absent(id))
    throw new ContextError(['hostedZoneName is set but hostedZoneId is not: set both or neither']);
  const problems: string[] = [];
  if (typeof id !== 'string' || !HOSTED_ZONE_ID_RE.test(id)) {
    problems.push(
      `hostedZoneId must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without /hostedzone/), got ${JSON.stringify(id)}`,
    );
  }
  let zoneName: string | undefined;
  try {
    zoneName = validateDomainName('hostedZoneName', name);
  } catch (e) {
    if (!(e instanceof ContextError)) throw e;
    problems.push(...e.problems);
  }
  const configured = domains.filter((d) => d.domain);
  if (domains.every((d) => absent(get(d.key)))) {
    problems.push(
      'hostedZoneId/hostedZoneName are set but neither apiDomainName nor cdnDomainName is: the zone only receives their alias records',
    );
  }
  if (zoneName) {
    for (const { key, domain } of configured) {
      const d = domain?.domainName as string;
      if (d !== zoneName && !d.endsWith(`.${zoneName}`)) {
        problems.push(
          `${key} ${d} is not inside hostedZoneName ${zoneName}: its alias record cannot go in that zone`,
        );
      }
    }
  }
  if (problems.length) throw new ContextError(problems);
  return { hostedZoneId: id as string, zoneName: zoneName as string };
}

/**
 * CloudFront standard logging: on by default, except in opt-in regions, where CloudFront cannot
 * deliver to the stack's logs bucket; there it is off by default and `true` is refused.
 */
export function validateCdnLogging(v: unknown, region?: string): boolean {
  // an environment-agnostic synth (no region) keeps the default of the commercial regions
  const optIn = region !== undefined && OPT_IN_REGIONS.includes(region);
  const on = validateBoolean('cdnLogging', v, !optIn);
  if (on && optIn) {
    throw new ContextError([
      `cdnLogging=true is not possible in ${region}: CloudFront standard logs are not delivered to S3 buckets in opt-in regions, and the logs bucket is in the stack's region. Leave cdnLogging unset (off in ${region}) or set it to false`,
    ]);
  }
  return on;
}

/** Reserved concurrency of the resolver; 0 is refused, it would throttle every invocation. */
export function validateResolverConcurrency(v: unknown): number {
  if (v === 0 || v === '0' || (typeof v === 'string' && v.trim() === '0')) {
    throw new ContextError([
      'resolverConcurrency must be at least 1: 0 throttles every invocation, so no photo would ever be resolved',
    ]);
  }
  return validateInt('resolverConcurrency', v, DEFAULTS.resolverConcurrency, 1, 1000);
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
 * certificate's region and decides the cdnLogging default. Every problem is reported at once.
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
  const hostedZone = attempt(() =>
    validateHostedZone(get, [
      { key: 'apiDomainName', domain: apiDomain },
      { key: 'cdnDomainName', domain: cdnDomain },
    ]),
  );
  const cdnLogging = attempt(() => validateCdnLogging(get('cdnLogging'), region));
  const resolverConcurrency = attempt(() => validateResolverConcurrency(get('resolverConcurrency')));
  const consoleMfa = attempt(() => validateConsoleMfa(get('consoleMfa')));
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
    hostedZone,
    cdnLogging: cdnLogging as boolean,
    resolverConcurrency: resolverConcurrency as number,
    consoleMfa: consoleMfa as StackOptions['consoleMfa'],
  };
}

/** MFA of the console's user pool: `optional` (default) or `required`. */
export function validateConsoleMfa(v: unknown): StackOptions['consoleMfa'] {
  if (absent(v)) return 'optional';
  if (v === 'optional' || v === 'required') return v;
  throw new ContextError([`consoleMfa must be optional or required, got ${JSON.stringify(v)}`]);
}
