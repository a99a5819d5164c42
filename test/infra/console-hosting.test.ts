// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * The console on the distribution (lib/constructs/console.ts): a `/console/*` behaviour on the
 * same OAC origin with its own cache policy, response headers policy (strict CSP naming the API)
 * and rewrite function; two BucketDeployments (immutable assets, no-cache pages + a deploy-time
 * config.json); and the `/a/*` and default behaviours exactly as a distribution without the
 * console has them. The synth runs the cdk-nag plugin, which throws on any unacknowledged finding.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { Cdn } from '../../lib/constructs/cdn';
import {
  CONSOLE_ASSET_CACHE_CONTROL,
  CONSOLE_PAGE_CACHE_CONTROL,
  CONSOLE_REWRITE_FUNCTION_CODE,
} from '../../lib/constructs/console-headers';
import { Data } from '../../lib/constructs/data';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const CONTEXT = { stage: 'dev', 'aws:cdk:bundling-stacks': [] };

let json: { Resources: Record<string, { Type: string; Properties: any }> };
let bare: { Resources: Record<string, { Type: string; Properties: any }> };

const ofType = (t: typeof json, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type) as [string, { Properties: any }][];
const distributionOf = (t: typeof json) =>
  ofType(t, 'AWS::CloudFront::Distribution')[0][1].Properties.DistributionConfig;
const behaviour = (t: typeof json, pattern: string) =>
  distributionOf(t).CacheBehaviors.find((b: any) => b.PathPattern === pattern);

beforeAll(() => {
  const app = new App({ context: CONTEXT });
  const stack = buildApp(app, ENV);
  app.synth(); // cdk-nag: throws on an unacknowledged finding
  json = Template.fromStack(stack).toJSON() as typeof json;

  // the same data and CDN constructs without the console, for the unchanged-rules comparison
  const app2 = new App({ context: CONTEXT });
  const s2 = new Stack(app2, stack.stackName, { env: ENV });
  const data = new Data(s2, 'Data', { stage: 'dev' });
  new Cdn(s2, 'Cdn', {
    bucket: data.bucket,
    logsBucket: data.logsBucket,
  });
  bare = Template.fromStack(s2).toJSON() as typeof bare;
}, 120_000);

test('/a/*, the default behaviour and the origin are exactly as without the console', () => {
  const withConsole = distributionOf(json);
  const without = distributionOf(bare);
  expect(behaviour(json, '/a/*')).toEqual(behaviour(bare, '/a/*'));
  expect(withConsole.DefaultCacheBehavior).toEqual(without.DefaultCacheBehavior);
  expect(withConsole.Origins).toEqual(without.Origins);
  expect(withConsole.CacheBehaviors.map((b: any) => b.PathPattern).sort()).toEqual(['/a/*', '/console/*']);
});

test('/console/* reads the same origin, GET/HEAD over HTTPS, through its own policies and the rewrite function', () => {
  const b = behaviour(json, '/console/*');
  expect(b.TargetOriginId).toBe(behaviour(json, '/a/*').TargetOriginId);
  expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
  expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
  expect(b.Compress).toBe(true);
  const [fnId, fn] = ofType(json, 'AWS::CloudFront::Function').find(
    ([, f]) => f.Properties.FunctionCode === CONSOLE_REWRITE_FUNCTION_CODE,
  ) as [string, any];
  expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
  expect(b.FunctionAssociations).toEqual([
    { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
  ]);

  const cache = json.Resources[b.CachePolicyId.Ref].Properties.CachePolicyConfig;
  // the objects' own Cache-Control decides; nothing varies the cache key
  expect(cache).toMatchObject({ MinTTL: 0, DefaultTTL: 0, MaxTTL: 31536000 });
  expect(cache.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
    CookiesConfig: { CookieBehavior: 'none' },
    HeadersConfig: { HeaderBehavior: 'none' },
    QueryStringsConfig: { QueryStringBehavior: 'none' },
  });
  expect(b.ResponseHeadersPolicyId.Ref).not.toBe(behaviour(json, '/a/*').ResponseHeadersPolicyId.Ref);
});

test('the console headers: a strict CSP that lets the page call the API, no framing, nosniff, HSTS', () => {
  const b = behaviour(json, '/console/*');
  const sec =
    json.Resources[b.ResponseHeadersPolicyId.Ref].Properties.ResponseHeadersPolicyConfig
      .SecurityHeadersConfig;
  const csp = sec.ContentSecurityPolicy.ContentSecurityPolicy['Fn::Join'][1];
  const text = csp.filter((p: unknown) => typeof p === 'string').join(' ');
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]) {
    expect(text).toContain(d);
  }
  expect(text).not.toMatch(/unsafe-inline|unsafe-eval/);
  // the API's hosts (the generated endpoint would close a dependency cycle through CORS) and the
  // managed-login domain the token request goes to
  expect(text).toMatch(/connect-src 'self' https:\/\/\*\.execute-api\.eu-west-1\. /);
  expect(csp).toContainEqual({ Ref: 'AWS::URLSuffix' });
  expect(text).toContain('.auth.eu-west-1.amazoncognito.com');
  expect(sec.ContentSecurityPolicy.Override).toBe(true);
  expect(sec.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
  expect(sec.ContentTypeOptions).toEqual({ Override: true });
  expect(sec.StrictTransportSecurity.AccessControlMaxAgeSec).toBe(31536000);
});

test('two deployments into the avatar bucket: immutable hashed assets, then no-cache pages with config.json', () => {
  const deployments = ofType(json, 'Custom::CDKBucketDeployment').map(([, d]) => d.Properties);
  const bucket = ofType(json, 'AWS::S3::Bucket').find(([id]) => id.startsWith('DataBucket'))?.[0];
  expect(deployments).toHaveLength(2);
  for (const d of deployments) {
    expect(d.DestinationBucketName).toEqual({ Ref: bucket });
    expect(d.Prune).toBe(false);
  }
  const assets = deployments.find((d) => d.DestinationBucketKeyPrefix === 'console/assets/');
  const pages = deployments.find((d) => d.DestinationBucketKeyPrefix === 'console/');
  expect(assets.SystemMetadata).toEqual({ 'cache-control': CONSOLE_ASSET_CACHE_CONTROL });
  expect(pages.SystemMetadata).toEqual({ 'cache-control': CONSOLE_PAGE_CACHE_CONTROL });
  // config.json's deploy-time values: the API endpoint and the distribution's domain
  const markers = JSON.stringify(pages.SourceMarkers);
  expect(markers).toContain('ApiEndpoint');
  expect(markers).toContain('DomainName');
  // the bucket stays private: CloudFront still may not read originals
  const policy = ofType(json, 'AWS::S3::BucketPolicy').find(
    ([, p]) => p.Properties.Bucket.Ref === bucket,
  )?.[1];
  expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('DenyCloudFrontOriginals');
});
