// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * The synthesised stack. Each stage is synthesised ONCE (beforeAll) and every test reads that
 * template and cloud assembly. prod is synthesised with custom domains and non-default
 * throttling, dev with defaults, so both branches are pinned.
 *
 * prod bundles every function for real with esbuild (the bundles are inspected below); dev
 * skips bundling (CDK's own `aws:cdk:bundling-stacks` context) because the template does not
 * depend on it and a second round of 13 bundles would double this file's run time.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../bin/app';
import { functionIdOf, RESOLVER, ROUTES, type Route } from '../../lambdas/routes';
import { TABLE_KEYS, TTL_ATTR } from '../../lambdas/store/schema';
import type { AvtrzStack } from '../../lib/avtrz-stack';
import { CDN_CACHE_CONTROL, CDN_CONTENT_SECURITY_POLICY } from '../../lib/constructs/cdn-headers';
import { BUCKET_ACCESS, TABLE_ACTIONS } from '../../lib/constructs/function';
import type { SharpLayer } from '../../lib/constructs/sharp-layer';
import { ContextError, type ContextKey } from '../../lib/context';

const ROOT = path.resolve(__dirname, '..', '..');
const API_CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const CDN_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000';
const UPSTREAM = 'https://provider.example/photo?profile={profile}';

const CONTEXT: Record<'prod' | 'dev', Partial<Record<ContextKey, string>>> = {
  prod: {
    stage: 'prod',
    apiDomainName: 'api.avatars.example.com',
    apiCertificateArn: API_CERT,
    cdnDomainName: 'img.avatars.example.com',
    cdnCertificateArn: CDN_CERT,
    throttleRateLimit: '40',
    throttleBurstLimit: '80',
    upstreamUrl: UPSTREAM,
    logRetentionDays: '90',
  },
  dev: { stage: 'dev' },
};

interface Synth {
  app: App;
  stack: AvtrzStack;
  template: Template;
  json: {
    Resources: Record<string, { Type: string; Properties: any; DeletionPolicy?: string; Metadata?: any }>;
    Outputs: any;
  };
  assemblyDir: string;
  nag: ReturnType<AwsSolutionsChecks['validateScope']>;
}

function synth(stage: 'prod' | 'dev'): Synth {
  const app = new App({
    context: {
      ...CONTEXT[stage],
      'aws:cdk:enable-asset-metadata': true,
      ...(stage === 'dev' ? { 'aws:cdk:bundling-stacks': [] } : {}),
    },
  });
  // exactly what `cdk synth` runs: context -> options -> stack, plus the cdk-nag plugin, which
  // runs during app.synth() and throws on any unacknowledged finding
  const stack = buildApp(app, { account: '123456789012', region: 'eu-west-1' });
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    json: template.toJSON() as Synth['json'],
    assemblyDir: assembly.directory,
    nag: new AwsSolutionsChecks(app).validateScope(app),
  };
}

const S: Partial<Record<'prod' | 'dev', Synth>> = {};
beforeAll(() => {
  S.prod = synth('prod');
  S.dev = synth('dev');
}, 120_000);
// each synth writes a cloud assembly (bundles, the sharp layer) to a temp dir: remove it
afterAll(() => {
  for (const s of Object.values(S)) if (s) fs.rmSync(s.assemblyDir, { recursive: true, force: true });
});
const get = (stage: 'prod' | 'dev') => S[stage] as Synth;

const logicalId = (s: Synth, c: { node: { defaultChild?: unknown } }) =>
  s.stack.resolve((c.node.defaultChild as CfnFunction).logicalId) as string;
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
const joinArn = (id: string, suffix: string) => ({ 'Fn::Join': ['', [getAtt(id), suffix]] });

function fnOf(s: Synth, route: Route) {
  // a console twin's function is its admin route's (one Lambda per handler)
  const fn = s.stack.api.functions.get(functionIdOf(route));
  if (!fn) throw new Error(`no function for ${route.id}`);
  return {
    construct: fn,
    id: logicalId(s, fn.fn),
    roleId: logicalId(s, fn.role),
    res: s.json.Resources[logicalId(s, fn.fn)],
  };
}

function statementsOfRole(s: Synth, roleId: string): any[] {
  return Object.values(s.json.Resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe.each(['prod', 'dev'] as const)('%s stack', (stage) => {
  it('passes cdk-nag AwsSolutions with zero unacknowledged findings (synth ran with the plugin)', () => {
    const s = get(stage);
    expect(s.nag.violations).toEqual([]);
    expect(s.nag.success).toBe(true);
  });

  it('gives every acknowledgement a specific written reason', () => {
    const acks: [string, string][] = [];
    for (const c of get(stage).app.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          acks.push(...Object.entries(m.data as Record<string, string>));
      }
    }
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) {
      expect({ id, long: reason.length >= 60 }).toEqual({ id, long: true });
    }
  });

  it('has the single table from lambdas/store/schema.ts: on-demand, PITR, gsi1 projecting ALL', () => {
    const t = get(stage).template;
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TTL_ATTR, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: TABLE_KEYS.gsi1.indexName,
          KeySchema: [
            { AttributeName: TABLE_KEYS.gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_KEYS.gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('keeps the avatar bucket private, encrypted, SSL-only and access-logged', () => {
    const s = get(stage);
    const bucketId = logicalId(s, s.stack.data.bucket);
    const logsId = logicalId(s, s.stack.data.logsBucket);
    expect(s.json.Resources[bucketId].Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 's3/' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(s.json.Resources[logsId].Properties.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('serves the bucket only through CloudFront OAC, and never objects under o/', () => {
    const s = get(stage);
    const bucketId = logicalId(s, s.stack.data.bucket);
    const distId = logicalId(s, s.stack.cdn.distribution);
    s.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const cfg = s.json.Resources[distId].Properties.DistributionConfig;
    expect(cfg.Origins).toHaveLength(1);
    expect(cfg.Origins[0]).toMatchObject({
      DomainName: getAtt(bucketId, 'RegionalDomainName'),
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    const policy = Object.values(s.json.Resources).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId,
    );
    const stmts: any[] = policy?.Properties.PolicyDocument.Statement;
    const cfAllow = stmts.filter(
      (x) => x.Effect === 'Allow' && x.Principal?.Service === 'cloudfront.amazonaws.com',
    );
    expect(cfAllow).toHaveLength(1);
    expect(cfAllow[0].Action).toBe('s3:GetObject');
    expect(JSON.stringify(cfAllow[0].Condition.StringEquals['AWS:SourceArn'])).toContain(distId);
    expect(stmts).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: joinArn(bucketId, '/o/*'),
      }),
    );
  });

  it('routes only /a/* (and the console, /console/*) to the bucket; the default behaviour answers 404 at the edge', () => {
    const s = get(stage);
    const cfg = s.json.Resources[logicalId(s, s.stack.cdn.distribution)].Properties.DistributionConfig;
    // the console's behaviour is test/infra/console-hosting.test.ts's
    expect(cfg.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(['/a/*', '/console/*']);
    const served = cfg.CacheBehaviors.find((b: any) => b.PathPattern === '/a/*');
    expect(served).toMatchObject({ ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD'] });
    expect(served.FunctionAssociations).toBeUndefined();
    expect(cfg.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    const [assoc] = cfg.DefaultCacheBehavior.FunctionAssociations;
    expect(assoc.EventType).toBe('viewer-request');
    const fnRes = s.json.Resources[assoc.FunctionARN['Fn::GetAtt'][0]];
    expect(fnRes.Type).toBe('AWS::CloudFront::Function');
    expect(fnRes.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    // run the deployed function code against requests the default behaviour receives
    const handler = new Function(`${fnRes.Properties.FunctionCode}; return handler;`)();
    for (const uri of ['/o/abc/v1/original', '/', '/index.html', '/A/x.webp']) {
      expect(handler({ request: { uri, method: 'GET' } })).toMatchObject({ statusCode: 404 });
    }
    expect(cfg.Logging).toMatchObject({
      Prefix: 'cdn/',
      Bucket: getAtt(logicalId(s, s.stack.data.logsBucket), 'RegionalDomainName'),
    });
  });

  it('adds nosniff, the SVG CSP and immutable caching to served objects', () => {
    const s = get(stage);
    const cfg = s.json.Resources[logicalId(s, s.stack.cdn.distribution)].Properties.DistributionConfig;
    const policyId = cfg.CacheBehaviors[0].ResponseHeadersPolicyId.Ref;
    const p = s.json.Resources[policyId].Properties.ResponseHeadersPolicyConfig;
    expect(CDN_CONTENT_SECURITY_POLICY).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(p.SecurityHeadersConfig).toMatchObject({
      ContentTypeOptions: { Override: true },
      ContentSecurityPolicy: { ContentSecurityPolicy: CDN_CONTENT_SECURITY_POLICY, Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
    });
    expect(p.CustomHeadersConfig.Items).toEqual([
      { Header: 'Cache-Control', Value: CDN_CACHE_CONTROL, Override: false },
    ]);
  });

  it('builds one arm64 nodejs22.x function per route from lambdas/<handler>/handler.ts', () => {
    const s = get(stage);
    for (const route of ROUTES) {
      const { res } = fnOf(s, route);
      expect(res.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: route.memoryMb ?? 256,
        Timeout: route.timeoutSeconds ?? 10,
      });
    }
    const fnCount = Object.values(s.json.Resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Properties.Runtime === 'nodejs22.x' &&
        r.Properties.Handler === 'index.handler',
    ).length;
    // one per handler (a console twin shares its admin route's), + the resolver, the $default
    // fallback and the user pool's token-claims trigger
    expect(fnCount).toBe(new Set(ROUTES.map(functionIdOf)).size + 3);
  });

  it('gives every function its own log group with retention, and a role that may write only there', () => {
    const s = get(stage);
    const days = stage === 'prod' ? 90 : 30;
    for (const f of [
      ...ROUTES.map((r) => fnOf(s, r).construct),
      s.stack.resolver,
      s.stack.fallback,
      s.stack.tokenClaims,
    ]) {
      const logsId = logicalId(s, f.logGroup);
      const fn = s.json.Resources[logicalId(s, f.fn)];
      expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: logsId } });
      expect(s.json.Resources[logsId].Properties.RetentionInDays).toBe(days);
      expect(s.json.Resources[logsId].DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
      const roleId = logicalId(s, f.role);
      expect(s.json.Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
      expect(statementsOfRole(s, roleId)).toContainEqual({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt(logsId),
      });
    }
  });

  it('grants each route exactly the access its route-table entry names', () => {
    const s = get(stage);
    const tableId = logicalId(s, s.stack.data.table);
    const bucketId = logicalId(s, s.stack.data.bucket);
    const resolverId = logicalId(s, s.stack.resolver.fn);
    const secretId = logicalId(s, s.stack.hmacSecret);
    for (const route of ROUTES) {
      const { roleId } = fnOf(s, route);
      const stmts = statementsOfRole(s, roleId);
      const byService = (svc: string) =>
        stmts.filter((x) => asArray(x.Action).some((a: string) => a.startsWith(`${svc}:`)));
      expect({ route: route.id, table: byService('dynamodb') }).toEqual({
        route: route.id,
        table: [
          {
            Effect: 'Allow',
            Action: [...TABLE_ACTIONS[route.access.table]],
            Resource: [getAtt(tableId), joinArn(tableId, `/index/${TABLE_KEYS.gsi1.indexName}`)],
          },
        ],
      });
      if (route.access.table === 'read') {
        expect(byService('dynamodb')[0].Action).not.toContain('dynamodb:PutItem');
        expect(byService('dynamodb')[0].Action).not.toContain('dynamodb:UpdateItem');
      }
      const s3Stmts = byService('s3');
      if (route.access.bucket) {
        const { actions, prefixes } = BUCKET_ACCESS[route.access.bucket];
        const one = <T>(xs: T[]) => (xs.length === 1 ? xs[0] : xs);
        expect(s3Stmts).toEqual([
          {
            Effect: 'Allow',
            Action: one([...actions]),
            Resource: one(prefixes.map((p) => joinArn(bucketId, `/${p}*`))),
          },
          // ListBucket only for levels that read (404 instead of 403 for a missing object)
          ...(route.access.bucket === 'write'
            ? []
            : [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: getAtt(bucketId) }]),
        ]);
      } else {
        expect({ route: route.id, s3: s3Stmts }).toEqual({ route: route.id, s3: [] });
      }
      const invoke = byService('lambda');
      expect({ route: route.id, invoke }).toEqual({
        route: route.id,
        invoke: route.access.resolver
          ? [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(resolverId) }]
          : [],
      });
      // the HMAC key that names objects (and so links an object URL to a profile) is readable
      // only by the functions that compute object ids from a profile
      const secretStmts = byService('secretsmanager');
      expect({ route: route.id, secret: secretStmts }).toEqual({
        route: route.id,
        secret: route.access.hmacSecret
          ? [
              {
                Effect: 'Allow',
                Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
                Resource: { Ref: secretId },
              },
            ]
          : [],
      });
      // nothing beyond these services, and no wildcard action anywhere
      expect(stmts.length).toBe(1 + 1 + s3Stmts.length + invoke.length + secretStmts.length);
      for (const x of stmts) for (const a of asArray(x.Action)) expect(a).not.toContain('*');
    }
  });

  it('sets the environment config.ts reads, merged with the defaults', () => {
    const s = get(stage);
    const tableId = logicalId(s, s.stack.data.table);
    const bucketId = logicalId(s, s.stack.data.bucket);
    const cdnUrl =
      stage === 'prod'
        ? 'https://img.avatars.example.com'
        : { 'Fn::Join': ['', ['https://', getAtt(logicalId(s, s.stack.cdn.distribution), 'DomainName')]] };
    for (const route of ROUTES) {
      const env = fnOf(s, route).res.Properties.Environment.Variables;
      expect(env).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        AVTRZ_STAGE: stage,
        AVTRZ_TABLE: { Ref: tableId },
        AVTRZ_CDN_URL: cdnUrl,
        AVTRZ_KEY_CACHE_SECONDS: '30',
      });
      expect({ route: route.id, arn: env.AVTRZ_HMAC_SECRET_ARN }).toEqual({
        route: route.id,
        arn: route.access.hmacSecret ? { Ref: logicalId(s, s.stack.hmacSecret) } : undefined,
      });
      expect(env.AVTRZ_UPSTREAM_URL).toBe(stage === 'prod' ? UPSTREAM : undefined);
      expect(env.AVTRZ_BUCKET).toEqual(route.access.bucket ? { Ref: bucketId } : undefined);
      expect(env.AVTRZ_RESOLVER_FUNCTION).toEqual(
        route.access.resolver ? { Ref: logicalId(s, s.stack.resolver.fn) } : undefined,
      );
    }
  });

  it('builds the resolver with the same construct, sharp left to a layer with the Lambda layout', () => {
    const s = get(stage);
    const res = s.json.Resources[logicalId(s, s.stack.resolver.fn)];
    expect(res.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: RESOLVER.memoryMb,
      Timeout: RESOLVER.timeoutSeconds,
      Layers: [{ Ref: expect.any(String) }],
    });
    const layer = s.json.Resources[res.Properties.Layers[0].Ref];
    expect(layer.Type).toBe('AWS::Lambda::LayerVersion');
    expect(layer.Properties.CompatibleArchitectures).toEqual(['arm64']);
    const layerDir = path.join(s.assemblyDir, layer.Metadata['aws:asset:path']);
    expect(fs.existsSync(path.join(layerDir, 'nodejs', 'node_modules', 'sharp', 'package.json'))).toBe(true);
    const armBinaries = fs.existsSync(
      path.join(layerDir, 'nodejs', 'node_modules', '@img', 'sharp-linux-arm64', 'package.json'),
    );
    // synth never ships a layer without the binaries (lib/constructs/sharp-layer.ts builds it or fails)
    const sharpLayer = s.stack.node.findChild('Sharp') as SharpLayer;
    expect({ kind: sharpLayer.source.kind, armBinaries }).toEqual({
      kind: sharpLayer.source.kind,
      armBinaries: true,
    });
    // resolver grants: table + both bucket prefixes; no invoke of anything; and the HMAC secret,
    // read-only, to recompute every id it is given from the profile (never trust the invoker)
    const stmts = statementsOfRole(s, logicalId(s, s.stack.resolver.role));
    const actions = stmts.flatMap((x) => asArray(x.Action));
    expect(actions).toEqual(expect.arrayContaining([...TABLE_ACTIONS.readwrite, 's3:PutObject']));
    expect(actions).not.toContain('lambda:InvokeFunction');
    expect(
      stmts.filter((x) => asArray(x.Action).some((a: string) => a.startsWith('secretsmanager:'))),
    ).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: logicalId(s, s.stack.hmacSecret) },
      },
    ]);
    expect(res.Properties.Environment.Variables.AVTRZ_HMAC_SECRET_ARN).toEqual({
      Ref: logicalId(s, s.stack.hmacSecret),
    });
  });

  it('generates one API route per route-table entry: IAM for admin routes, the JWT authorizer for console routes', () => {
    const s = get(stage);
    const routes = Object.values(s.json.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      [...ROUTES.map((r) => `${r.method} ${r.path}`), '$default'].sort(),
    );
    for (const route of ROUTES) {
      const r = routes.find((x) => x.Properties.RouteKey === `${route.method} ${route.path}`);
      expect({ key: r?.Properties.RouteKey, auth: r?.Properties.AuthorizationType }).toEqual({
        key: `${route.method} ${route.path}`,
        auth: { admin: 'AWS_IAM', console: 'JWT', key: 'NONE' }[route.auth],
      });
      expect(route.auth === 'admin').toBe(route.path.startsWith('/v1/admin/'));
      expect(route.auth === 'console').toBe(route.path.startsWith('/v1/console/'));
      // the route's integration invokes that route's own function
      const integrationId = r?.Properties.Target['Fn::Join'][1][1].Ref;
      const integration = s.json.Resources[integrationId];
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: getAtt(fnOf(s, route).id),
      });
    }
    // everything else reaches the fallback, which has no data access at all
    const dflt = routes.find((x) => x.Properties.RouteKey === '$default');
    expect(dflt?.Properties.AuthorizationType).toBe('NONE');
    const fallbackIntegration = s.json.Resources[dflt?.Properties.Target['Fn::Join'][1][1].Ref];
    expect(fallbackIntegration.Properties.IntegrationUri).toEqual(getAtt(logicalId(s, s.stack.fallback.fn)));
    const fallbackStmts = statementsOfRole(s, logicalId(s, s.stack.fallback.role));
    expect(fallbackStmts.flatMap((x) => asArray(x.Action))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    const fallbackEnv = s.json.Resources[logicalId(s, s.stack.fallback.fn)].Properties.Environment.Variables;
    expect(fallbackEnv.AVTRZ_TABLE).toBeUndefined();
    expect(fallbackEnv.AVTRZ_HMAC_SECRET_ARN).toBeUndefined();
  });

  it('logs API access as JSON without query strings, and throttles the default stage', () => {
    const s = get(stage);
    const stageRes = Object.values(s.json.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    expect(stageRes?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings:
        stage === 'prod'
          ? { ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 }
          : { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: { DestinationArn: getAtt(logicalId(s, s.stack.api.accessLogs)) },
    });
    const fields = JSON.parse(stageRes?.Properties.AccessLogSettings.Format);
    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      routeKey: '$context.routeKey',
    });
    for (const v of Object.values(fields) as string[])
      expect(v).not.toMatch(/querystring|header|apiKey|identity\.api/i);
    expect(s.json.Resources[logicalId(s, s.stack.api.accessLogs)].Properties.RetentionInDays).toBe(
      stage === 'prod' ? 90 : 30,
    );
  });

  it('outputs the API URL, CDN URL, DNS targets, failure queue, alarm topic, table name and bucket name', () => {
    const s = get(stage);
    const o = s.json.Outputs;
    expect(Object.keys(o).sort()).toEqual(
      [
        'ApiUrl',
        'CdnUrl',
        'CdnDistributionDomainName',
        'ResolverFailureQueueUrl',
        'ResolverFailureQueueName',
        'AlarmTopicArn',
        'TableName',
        'BucketName',
        'ConsoleUrl',
        'ConsoleUserPoolId',
        'ConsoleUserPoolClientId',
        'ConsoleIssuer',
        'ConsoleLoginDomain',
        // the API's custom domain target exists only with a custom domain (prod here)
        ...(stage === 'prod' ? ['ApiRegionalDomainName', 'ApiRegionalHostedZoneId'] : []),
      ].sort(),
    );
    expect(o.TableName.Value).toEqual({ Ref: logicalId(s, s.stack.data.table) });
    expect(o.BucketName.Value).toEqual({ Ref: logicalId(s, s.stack.data.bucket) });
    if (stage === 'prod') {
      expect(o.ApiUrl.Value).toBe('https://api.avatars.example.com');
      expect(o.CdnUrl.Value).toBe('https://img.avatars.example.com');
    } else {
      expect(o.ApiUrl.Value).toEqual(getAtt(logicalId(s, s.stack.api.httpApi), 'ApiEndpoint'));
      expect(o.CdnUrl.Value).toEqual({
        'Fn::Join': ['', ['https://', getAtt(logicalId(s, s.stack.cdn.distribution), 'DomainName')]],
      });
    }
  });
});

describe('real bundling (prod synth)', () => {
  it('bundles each route from lambdas/<handler>/handler.ts, minified with a source map', () => {
    const s = get('prod');
    for (const route of ROUTES) {
      const { res } = fnOf(s, route);
      expect(res.Metadata['aws:asset:is-bundled']).toBe(true);
      const dir = path.join(s.assemblyDir, res.Metadata['aws:asset:path']);
      // the bundle really came from that handler: its source map names the entry file
      const map = JSON.parse(fs.readFileSync(path.join(dir, 'index.js.map'), 'utf8'));
      expect({
        route: route.id,
        fromHandler: map.sources.some((src: string) => src.endsWith(`lambdas/${route.handler}/handler.ts`)),
      }).toEqual({ route: route.id, fromHandler: true });
      const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
      // minified: long lines (esbuild keeps only newlines inside strings)
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      expect(code).toContain('sourceMappingURL=index.js.map');
      expect(code.startsWith('"use strict"')).toBe(true); // cjs
    }
  });

  it('takes the AWS SDK from the runtime, keeping the avatar bundle small', () => {
    const s = get('prod');
    const avatar = ROUTES.find((r) => r.id === 'Avatar');
    if (!avatar) throw new Error('no Avatar route');
    const { res } = fnOf(s, avatar);
    const code = fs.readFileSync(
      path.join(s.assemblyDir, res.Metadata['aws:asset:path'], 'index.js'),
      'utf8',
    );
    expect(code).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
    expect(code).toMatch(/require\("@aws-sdk\/lib-dynamodb"\)/);
    // the SDK's own code is not inside (its service identifier would be)
    expect(code).not.toContain('DynamoDB_20120810');
    expect(Buffer.byteLength(code)).toBeLessThan(300 * 1024);
  });

  it('leaves sharp out of the resolver bundle', () => {
    const s = get('prod');
    const res = s.json.Resources[logicalId(s, s.stack.resolver.fn)];
    // sharp is external: the bundle requires it and does not contain sharp's own code
    const bundle = fs.readFileSync(
      path.join(s.assemblyDir, res.Metadata['aws:asset:path'], 'index.js'),
      'utf8',
    );
    expect(bundle).not.toContain('sharp-libvips');
    const dir = path.join(ROOT, 'lambdas', 'resolver');
    const importsSharp = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .some((f) =>
        /from ['"]sharp['"]|import\(['"]sharp['"]\)/.test(fs.readFileSync(path.join(dir, f), 'utf8')),
      );
    if (importsSharp) expect(bundle).toMatch(/require\("sharp"\)/);
  });
});

describe('prod stage', () => {
  it('retains the data and protects the table from deletion', () => {
    const s = get('prod');
    const table = s.json.Resources[logicalId(s, s.stack.data.table)];
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    for (const b of [s.stack.data.bucket, s.stack.data.logsBucket, s.stack.hmacSecret]) {
      expect(s.json.Resources[logicalId(s, b)].DeletionPolicy).toBe('Retain');
    }
    s.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('uses the custom domains with their certificates and TLS 1.2', () => {
    const s = get('prod');
    const cfg = s.json.Resources[logicalId(s, s.stack.cdn.distribution)].Properties.DistributionConfig;
    expect(cfg.Aliases).toEqual(['img.avatars.example.com']);
    expect(cfg.ViewerCertificate).toEqual({
      AcmCertificateArn: CDN_CERT,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.avatars.example.com',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: API_CERT, SecurityPolicy: 'TLS_1_2' })],
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: logicalId(s, s.stack.api.httpApi) },
      Stage: '$default',
    });
  });
});

describe('dev stage', () => {
  it('may be destroyed completely', () => {
    const s = get('dev');
    const table = s.json.Resources[logicalId(s, s.stack.data.table)];
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    expect(s.json.Resources[logicalId(s, s.stack.data.bucket)].DeletionPolicy).toBe('Delete');
    s.template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  it('has no custom domain', () => {
    const s = get('dev');
    s.template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    const cfg = s.json.Resources[logicalId(s, s.stack.cdn.distribution)].Properties.DistributionConfig;
    expect(cfg.Aliases).toBeUndefined();
    expect(cfg.ViewerCertificate).toBeUndefined();
  });
});

describe('the app (bin/app.ts)', () => {
  it('fails synth on an unacknowledged cdk-nag finding', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'avtrz-nag-'));
    try {
      const app = new App({ outdir, context: { stage: 'dev', 'aws:cdk:bundling-stacks': [] } });
      const stack = buildApp(app, { account: '123456789012', region: 'eu-west-1' });
      new s3.Bucket(stack, 'UnloggedBucket'); // violates AwsSolutions-S1 and S10
      expect(() => app.synth()).toThrow(/AwsSolutions-S1'/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('refuses a bad stage with a clear error before building anything', () => {
    const app = new App({ context: { stage: 'staging' } });
    expect(() => buildApp(app, {})).toThrow(ContextError);
    expect(() => buildApp(app, {})).toThrow('stage must be one of dev, prod, got "staging"');
    expect(app.node.children).toHaveLength(0);
  });

  it('prints the context problems and exits 1 when run by the CDK CLI', () => {
    const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ stage: 'qa', apiDomainName: 'x' }) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid CDK context:');
    expect(r.stderr).toContain('stage must be one of dev, prod, got "qa"');
    expect(r.stderr).toContain('apiDomainName is set but apiCertificateArn is not');
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // a message, not a stack trace
  });
});

describe('cdk-nag is live', () => {
  it('reports a finding for a non-compliant bucket (so a clean report means something)', () => {
    const app = new App();
    new s3.Bucket(new Stack(app, 'Bad'), 'Open');
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
  });
});
