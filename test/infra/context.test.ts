import {
  ContextError,
  type ContextKey,
  DEFAULTS,
  OPT_IN_REGIONS,
  parseStackOptions,
  validateCdnLogging,
  validateCertificateArn,
  validateDomainName,
  validateResolverConcurrency,
  validateStage,
  validateUpstreamUrl,
} from '../../lib/context';

const CERT_USE1 = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
const CERT_EUW1 = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

const ctx =
  (values: Partial<Record<ContextKey, unknown>>) =>
  (k: ContextKey): unknown =>
    values[k];

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ContextError) return e.problems;
    throw e;
  }
  throw new Error('expected a ContextError');
}

describe('stage', () => {
  it('accepts dev and prod', () => {
    expect(validateStage('dev')).toBe('dev');
    expect(validateStage('prod')).toBe('prod');
  });
  it.each([undefined, ''])('is required (%p), and the error says how to pass it', (v) => {
    expect(problemsOf(() => validateStage(v))).toEqual([
      'stage is required: pass -c stage=dev or -c stage=prod',
    ]);
  });
  it.each(['production', 'Prod', 'staging', 1])('rejects %p naming the allowed values', (v) => {
    const [p] = problemsOf(() => validateStage(v));
    expect(p).toContain('stage must be one of dev, prod');
    expect(p).toContain(JSON.stringify(v));
  });
});

describe('defaults', () => {
  it('fills every optional value', () => {
    expect(parseStackOptions(ctx({ stage: 'dev' }))).toEqual({
      stage: 'dev',
      apiDomain: undefined,
      cdnDomain: undefined,
      throttle: { rateLimit: DEFAULTS.throttleRateLimit, burstLimit: DEFAULTS.throttleBurstLimit },
      upstreamUrl: undefined,
      keyCacheSeconds: DEFAULTS.keyCacheSeconds,
      logRetentionDays: DEFAULTS.logRetentionDays,
      tracing: false,
      hostedZone: undefined,
      cdnLogging: true,
      resolverConcurrency: DEFAULTS.resolverConcurrency,
      consoleMfa: 'optional',
    });
  });
  it('reads strings from -c and numbers/booleans from cdk.json alike', () => {
    const fromCli = parseStackOptions(
      ctx({
        stage: 'prod',
        throttleRateLimit: '50',
        throttleBurstLimit: '80',
        keyCacheSeconds: '0',
        tracing: 'true',
      }),
    );
    const fromJson = parseStackOptions(
      ctx({
        stage: 'prod',
        throttleRateLimit: 50,
        throttleBurstLimit: 80,
        keyCacheSeconds: 0,
        tracing: true,
      }),
    );
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.throttle).toEqual({ rateLimit: 50, burstLimit: 80 });
    expect(fromCli.keyCacheSeconds).toBe(0);
    expect(fromCli.tracing).toBe(true);
  });
});

describe('custom domains', () => {
  it('accepts a domain with a certificate; the CDN certificate must be in us-east-1', () => {
    const o = parseStackOptions(
      ctx({
        stage: 'prod',
        apiDomainName: 'api.avatars.example.com',
        apiCertificateArn: CERT_EUW1,
        cdnDomainName: 'img.avatars.example.com',
        cdnCertificateArn: CERT_USE1,
      }),
    );
    expect(o.apiDomain).toEqual({ domainName: 'api.avatars.example.com', certificateArn: CERT_EUW1 });
    expect(o.cdnDomain).toEqual({ domainName: 'img.avatars.example.com', certificateArn: CERT_USE1 });
  });
  it('rejects a CDN certificate outside us-east-1', () => {
    expect(
      problemsOf(() =>
        parseStackOptions(
          ctx({ stage: 'dev', cdnDomainName: 'img.example.com', cdnCertificateArn: CERT_EUW1 }),
        ),
      ),
    ).toEqual(['cdnCertificateArn must be a certificate in us-east-1, got one in eu-west-1']);
  });
  it('pins the API certificate to the stack region when the region is known', () => {
    const get = ctx({ stage: 'dev', apiDomainName: 'api.example.com', apiCertificateArn: CERT_EUW1 });
    expect(parseStackOptions(get, 'eu-west-1').apiDomain?.certificateArn).toBe(CERT_EUW1);
    expect(problemsOf(() => parseStackOptions(get, 'us-east-1'))).toEqual([
      'apiCertificateArn must be a certificate in us-east-1, got one in eu-west-1',
    ]);
  });
  it('requires both halves of a pair', () => {
    expect(
      problemsOf(() => parseStackOptions(ctx({ stage: 'dev', apiDomainName: 'api.example.com' }))),
    ).toEqual(['apiDomainName is set but apiCertificateArn is not: set both or neither']);
    expect(problemsOf(() => parseStackOptions(ctx({ stage: 'dev', cdnCertificateArn: CERT_USE1 })))).toEqual([
      'cdnCertificateArn is set but cdnDomainName is not: set both or neither',
    ]);
  });
  it.each([
    'https://api.example.com',
    'api.example.com/',
    'api.example.com:443',
    'API.Example.com',
    'localhost',
    '-bad.example.com',
    'api..example.com',
    'api.example.com.',
    `${'a'.repeat(64)}.example.com`,
  ])('rejects the domain %p', (d) => {
    const [p] = problemsOf(() => validateDomainName('apiDomainName', d));
    expect(p).toMatch(/^apiDomainName must be a lowercase DNS name/);
    expect(p).toContain(JSON.stringify(d));
  });
  it.each([
    'arn:aws:acm:us-east-1:123456789012:certificate/not-a-uuid',
    'arn:aws:iam::123456789012:server-certificate/x',
    'arn:aws:acm:us-east-1:12345:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
    '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
  ])('rejects the certificate ARN %p', (arn) => {
    const [p] = problemsOf(() => validateCertificateArn('cdnCertificateArn', arn));
    expect(p).toMatch(/^cdnCertificateArn must be an ACM certificate ARN/);
  });
  it('accepts ARNs of other partitions', () => {
    const gov =
      'arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
    expect(validateCertificateArn('apiCertificateArn', gov)).toBe(gov);
  });
});

describe('hosted zone', () => {
  const DOMAINS = {
    apiDomainName: 'api.avatars.example.com',
    apiCertificateArn: CERT_EUW1,
    cdnDomainName: 'img.avatars.example.com',
    cdnCertificateArn: CERT_USE1,
  };
  const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'avatars.example.com' };

  it('accepts a zone holding the custom domains', () => {
    expect(parseStackOptions(ctx({ stage: 'prod', ...DOMAINS, ...ZONE })).hostedZone).toEqual({
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      zoneName: 'avatars.example.com',
    });
  });
  it('accepts a domain at the zone apex', () => {
    const o = parseStackOptions(
      ctx({ stage: 'prod', cdnDomainName: 'avatars.example.com', cdnCertificateArn: CERT_USE1, ...ZONE }),
    );
    expect(o.hostedZone?.zoneName).toBe('avatars.example.com');
  });
  it('requires both halves', () => {
    expect(
      problemsOf(() =>
        parseStackOptions(ctx({ stage: 'prod', ...DOMAINS, hostedZoneId: ZONE.hostedZoneId })),
      ),
    ).toEqual(['hostedZoneId is set but hostedZoneName is not: set both or neither']);
    expect(
      problemsOf(() =>
        parseStackOptions(ctx({ stage: 'prod', ...DOMAINS, hostedZoneName: ZONE.hostedZoneName })),
      ),
    ).toEqual(['hostedZoneName is set but hostedZoneId is not: set both or neither']);
  });
  it.each(['/hostedzone/Z0123456789ABCDEFGHIJ', 'z0123456789abcdefghij', 'Z12', 'avatars.example.com'])(
    'rejects the zone id %p',
    (id) => {
      expect(
        problemsOf(() => parseStackOptions(ctx({ stage: 'prod', ...DOMAINS, ...ZONE, hostedZoneId: id }))),
      ).toEqual([expect.stringMatching(/^hostedZoneId must be a Route 53 hosted zone id such as Z0123/)]);
    },
  );
  it('rejects a zone name that is not a DNS name', () => {
    expect(
      problemsOf(() =>
        parseStackOptions(
          ctx({ stage: 'prod', ...DOMAINS, ...ZONE, hostedZoneName: 'avatars.example.com.' }),
        ),
      ),
    ).toEqual([expect.stringMatching(/^hostedZoneName must be a lowercase DNS name/)]);
  });
  it('rejects a custom domain outside the zone, naming it', () => {
    expect(
      problemsOf(() =>
        parseStackOptions(
          ctx({ stage: 'prod', ...DOMAINS, ...ZONE, cdnDomainName: 'img.other.example.com' }),
        ),
      ),
    ).toEqual([
      'cdnDomainName img.other.example.com is not inside hostedZoneName avatars.example.com: its alias record cannot go in that zone',
    ]);
    // a suffix match is not enough: notavatars.example.com is not in avatars.example.com
    expect(
      problemsOf(() =>
        parseStackOptions(
          ctx({ stage: 'prod', ...DOMAINS, ...ZONE, apiDomainName: 'notavatars.example.com' }),
        ),
      ),
    ).toEqual([expect.stringMatching(/^apiDomainName notavatars\.example\.com is not inside/)]);
  });
  it('rejects a zone without any custom domain', () => {
    expect(problemsOf(() => parseStackOptions(ctx({ stage: 'prod', ...ZONE })))).toEqual([
      expect.stringMatching(
        /^hostedZoneId\/hostedZoneName are set but neither apiDomainName nor cdnDomainName is/,
      ),
    ]);
  });
  it('does not repeat an invalid domain as "no domain"', () => {
    expect(
      problemsOf(() =>
        parseStackOptions(
          ctx({ stage: 'prod', ...ZONE, apiDomainName: 'https://x', apiCertificateArn: CERT_EUW1 }),
        ),
      ),
    ).toEqual([expect.stringMatching(/^apiDomainName must be a lowercase DNS name/)]);
  });
});

describe('CloudFront standard logging', () => {
  it('is on by default outside opt-in regions, and when the region is unknown', () => {
    expect(parseStackOptions(ctx({ stage: 'dev' }), 'eu-west-1').cdnLogging).toBe(true);
    expect(parseStackOptions(ctx({ stage: 'dev' })).cdnLogging).toBe(true);
    expect(parseStackOptions(ctx({ stage: 'dev', cdnLogging: 'false' }), 'eu-west-1').cdnLogging).toBe(false);
  });
  it.each(OPT_IN_REGIONS)('is off by default in %s, and true is refused there', (region) => {
    expect(parseStackOptions(ctx({ stage: 'dev' }), region).cdnLogging).toBe(false);
    expect(validateCdnLogging(false, region)).toBe(false);
    expect(problemsOf(() => parseStackOptions(ctx({ stage: 'dev', cdnLogging: 'true' }), region))).toEqual([
      expect.stringContaining(`cdnLogging=true is not possible in ${region}`),
    ]);
  });
  it('rejects a non-boolean', () => {
    expect(problemsOf(() => validateCdnLogging('on', 'eu-west-1'))).toEqual([
      'cdnLogging must be true or false, got "on"',
    ]);
  });
});

describe('resolver concurrency', () => {
  it('defaults to 10 and reads strings and numbers', () => {
    expect(validateResolverConcurrency(undefined)).toBe(10);
    expect(validateResolverConcurrency('25')).toBe(25);
    expect(validateResolverConcurrency(25)).toBe(25);
  });
  it.each([0, '0'])('refuses %p, saying why', (v) => {
    expect(problemsOf(() => validateResolverConcurrency(v))).toEqual([
      'resolverConcurrency must be at least 1: 0 throttles every invocation, so no photo would ever be resolved',
    ]);
  });
  it.each(['-1', '2.5', 'lots', '1001'])('rejects %p with its range', (v) => {
    expect(problemsOf(() => validateResolverConcurrency(v))).toEqual([
      `resolverConcurrency must be an integer between 1 and 1000, got ${JSON.stringify(v)}`,
    ]);
  });
});

describe('throttling', () => {
  it.each([
    ['throttleRateLimit', '0'],
    ['throttleRateLimit', '-5'],
    ['throttleRateLimit', '1.5'],
    ['throttleRateLimit', 'fast'],
    ['throttleRateLimit', '10001'],
    ['throttleBurstLimit', '5001'],
  ])('rejects %s=%p with its range', (key, v) => {
    const [p] = problemsOf(() =>
      parseStackOptions(ctx({ stage: 'dev', throttleBurstLimit: '5000', [key]: v })),
    );
    expect(p).toMatch(new RegExp(`^${key} must be an integer between \\d+ and \\d+`));
  });
  it('rejects a burst below the rate', () => {
    expect(
      problemsOf(() =>
        parseStackOptions(ctx({ stage: 'dev', throttleRateLimit: 300, throttleBurstLimit: 100 })),
      ),
    ).toEqual([
      expect.stringMatching(/^throttleBurstLimit \(100\) must be at least throttleRateLimit \(300\)/),
    ]);
  });
});

describe('photo provider URL', () => {
  it('accepts http(s) templates with {profile}', () => {
    expect(validateUpstreamUrl('https://provider.example/photo?profile={profile}')).toBe(
      'https://provider.example/photo?profile={profile}',
    );
    expect(validateUpstreamUrl('http://10.0.0.5:8080/p/{profile}')).toBe('http://10.0.0.5:8080/p/{profile}');
    expect(validateUpstreamUrl('')).toBeUndefined();
  });
  it.each([
    ['https://provider.example/photo', /must contain \{profile\}/],
    ['provider.example/{profile}', /must be an absolute URL/],
    ['ftp://provider.example/{profile}', /must use http or https, got ftp/],
    ['file:///etc/{profile}', /must use http or https, got file/],
    ['https://user:pw@provider.example/{profile}', /must not contain credentials/],
    ['https://provider.example/{profile}#x', /must not contain a #fragment/],
  ])('rejects %p', (url, msg) => {
    const [p] = problemsOf(() => validateUpstreamUrl(url));
    expect(p).toMatch(/^upstreamUrl /);
    expect(p).toMatch(msg);
  });
});

describe('other options', () => {
  it('accepts only CloudWatch retention periods', () => {
    expect(parseStackOptions(ctx({ stage: 'dev', logRetentionDays: '90' })).logRetentionDays).toBe(90);
    expect(problemsOf(() => parseStackOptions(ctx({ stage: 'dev', logRetentionDays: '10' })))).toEqual([
      expect.stringMatching(
        /^logRetentionDays must be one of CloudWatch's periods \(1, 3, 5, 7, 14, 30,.*\), got 10$/,
      ),
    ]);
  });
  it('rejects a key cache TTL out of range and a non-boolean tracing flag', () => {
    expect(problemsOf(() => parseStackOptions(ctx({ stage: 'dev', keyCacheSeconds: '3601' })))).toEqual([
      'keyCacheSeconds must be an integer between 0 and 3600, got "3601"',
    ]);
    expect(problemsOf(() => parseStackOptions(ctx({ stage: 'dev', tracing: 'yes' })))).toEqual([
      'tracing must be true or false, got "yes"',
    ]);
  });
});

it('reports every problem at once, in one readable message', () => {
  let err: unknown;
  try {
    parseStackOptions(
      ctx({
        stage: 'qa',
        apiDomainName: 'https://x',
        apiCertificateArn: 'nope',
        throttleRateLimit: 'x',
        upstreamUrl: 'u',
      }),
    );
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ContextError);
  const e = err as ContextError;
  expect(e.problems).toHaveLength(4);
  expect(e.message.split('\n')[0]).toBe('Invalid CDK context:');
  expect(e.message).toContain('  - stage must be one of dev, prod, got "qa"');
  expect(e.message).toContain('  - apiDomainName must be a lowercase DNS name');
  expect(e.message).toContain('  - throttleRateLimit must be an integer');
  expect(e.message).toContain('  - upstreamUrl must contain {profile}');
});
