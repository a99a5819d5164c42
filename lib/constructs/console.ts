/**
 * The console in AWS: the same static bundle the local stack serves (console/build.ts), in the
 * private avatar bucket under `console/`, served by the distribution's `/console/*` behaviour
 * through the same Origin Access Control as `/a/*`:
 *  - a viewer-request CloudFront Function answers index.html for every client route
 *    (CONSOLE_REWRITE_FUNCTION_CODE, the code the local stack runs too);
 *  - its own cache policy honours the objects' Cache-Control: hashed assets immutable,
 *    index.html and config.json `no-cache` (set per object by the two deployments below);
 *  - its own response headers policy: the strict CSP (scripts and styles from the page's own
 *    origin only, connect-src the API and the sign-in service), frame-ancestors none, nosniff, HSTS.
 * `config.json` is written at deploy time with the API URL and the user pool's settings
 * (Source.jsonData resolves the tokens), so one bundle serves every stage.
 */
import { type CfnElement, DefaultStackSynthesizer, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildConsole } from '../../console/build';
import type { ConsoleConfig } from '../../console/src/config';
import { CLOUDFRONT_NAME_MAX, cloudFrontName } from './cdn';
import {
  CONSOLE_ASSET_CACHE_CONTROL,
  CONSOLE_BUCKET_PREFIX,
  CONSOLE_HSTS_SECONDS,
  CONSOLE_PAGE_CACHE_CONTROL,
  CONSOLE_PATH_PATTERN,
  CONSOLE_REWRITE_FUNCTION_CODE,
  consoleContentSecurityPolicy,
} from './console-headers';

/** What config.json holds besides apiBase and redirectUri (console/src/config.ts); values may be deploy-time tokens. */
export type ConsoleSettings = Omit<ConsoleConfig, 'apiBase' | 'redirectUri'>;

export interface ConsoleProps {
  bucket: s3.IBucket;
  distribution: cloudfront.Distribution;
  /** the S3 origin (OAC) the distribution already reads the bucket through */
  origin: cloudfront.IOrigin;
  /** https://<distribution or custom domain>, no trailing slash */
  cdnUrl: string;
  /** the API's base URL, no trailing slash (config.json) */
  apiUrl: string;
  /**
   * the API as a CSP source (connect-src). Not apiUrl itself: the API's CORS names the
   * distribution's domain and the distribution's headers policy would name the API's generated
   * endpoint, a dependency cycle. So the custom API domain when there is one, else the region's
   * execute-api hosts (`https://*.execute-api.<region>.amazonaws.com`).
   */
  apiOrigin: string;
  /** the sign-in settings (the user pool's issuer, app client, domain endpoints) */
  auth: ConsoleSettings;
  /** origins the page calls besides the API: the sign-in service's (token endpoint) */
  authOrigins: string[];
  /** a prebuilt bundle folder (tests); default: built now from console/src */
  bundleDir?: string;
}

export class ConsoleSite extends Construct {
  readonly url: string;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  readonly cachePolicy: cloudfront.CachePolicy;
  readonly config: Record<string, string>;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const bundleDir = props.bundleDir ?? buildConsole().outDir;
    this.url = `${props.cdnUrl}/console/`;

    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: cloudFrontName(this, 'console', CLOUDFRONT_NAME_MAX.responseHeadersPolicy),
      comment: 'avtrz console: strict CSP (no inline script or style), no framing, nosniff, HSTS',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy([props.apiOrigin, ...props.authOrigins]),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(CONSOLE_HSTS_SECONDS),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    // the objects' own Cache-Control decides (no-cache pages, immutable assets); nothing varies
    this.cachePolicy = new cloudfront.CachePolicy(this, 'Cache', {
      cachePolicyName: cloudFrontName(this, 'console', CLOUDFRONT_NAME_MAX.cachePolicy),
      comment: 'avtrz console: honour each object Cache-Control (no-cache pages, immutable assets)',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const rewrite = new cloudfront.Function(this, 'Rewrite', {
      functionName: cloudFrontName(this, 'console-routes', CLOUDFRONT_NAME_MAX.function),
      code: cloudfront.FunctionCode.fromInline(CONSOLE_REWRITE_FUNCTION_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'avtrz console: index.html for client routes',
    });

    props.distribution.addBehavior(CONSOLE_PATH_PATTERN, props.origin, {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: this.cachePolicy,
      responseHeadersPolicy: this.headers,
      compress: true,
      functionAssociations: [{ function: rewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    });

    this.config = {
      ...props.auth,
      apiBase: props.apiUrl,
      redirectUri: this.url,
    } as Record<string, string>;

    // hashed assets: immutable, and kept across deploys (a page loaded before a deploy still works)
    const assets = new s3deploy.BucketDeployment(this, 'Assets', {
      sources: [s3deploy.Source.asset(`${bundleDir}/assets`)],
      destinationBucket: props.bucket,
      destinationKeyPrefix: `${CONSOLE_BUCKET_PREFIX}assets/`,
      cacheControl: [s3deploy.CacheControl.fromString(CONSOLE_ASSET_CACHE_CONTROL)],
      prune: false,
    });
    // index.html + config.json: revalidated on every load, so a deploy shows at once
    const pages = new s3deploy.BucketDeployment(this, 'Pages', {
      sources: [
        s3deploy.Source.asset(bundleDir, { exclude: ['assets', 'assets/**'] }),
        s3deploy.Source.jsonData('config.json', this.config),
      ],
      destinationBucket: props.bucket,
      destinationKeyPrefix: CONSOLE_BUCKET_PREFIX,
      cacheControl: [s3deploy.CacheControl.fromString(CONSOLE_PAGE_CACHE_CONTROL)],
      prune: false,
    });
    // the page must not point at assets that are not there yet
    pages.node.addDependency(assets);

    acknowledgeDeploymentHandler(Stack.of(this), props.bucket);
  }
}

/**
 * The BucketDeployment handler (a CDK-provided Python function, one per stack, at the stack's
 * root) and its role: what cdk-nag finds in them, acknowledged by exact finding.
 */
function acknowledgeDeploymentHandler(stack: Stack, bucket: s3.IBucket): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('BucketDeployment created no handler at the stack root');
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const assets = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${account}-${region}/*`;
  const destination = `<${stack.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/*`;
  const why =
    "CDK's BucketDeployment handler copies the console bundle from the CDK asset bucket into the avatar bucket under console/ during deploys (never on a request path); these are the grants CDK generates for that copy";
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${why}: AWSLambdaBasicExecutionRole lets it write its own CloudWatch Logs.`,
    },
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => ({
      id: `AwsSolutions-IAM5[Action::${a}]`,
      reason: `${why}: ${a} is CDK's grantRead/grantReadWrite action group for reading the asset zip and writing (and, with prune, deleting) the copied objects.`,
    })),
    {
      id: `AwsSolutions-IAM5[Resource::${assets}]`,
      reason: `${why}: the asset objects are named by content hash at synth time, within CDK's own bootstrap asset bucket.`,
    },
    {
      id: 'AwsSolutions-L1',
      reason: `${why}: its Python runtime is chosen and updated by aws-cdk-lib, not by this project.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${destination}]`,
      reason: `${why}: BucketDeployment grants on the whole destination bucket; it writes only under the console/ prefix it is given.`,
    },
  );
}
