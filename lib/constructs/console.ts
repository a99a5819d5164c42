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
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildConsole } from '../../console/build';
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

/** What config.json holds (console/src/config.ts reads it); values may be deploy-time tokens. */
export interface ConsoleSettings {
  issuer: string;
  clientId: string;
  scope: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  endSessionEndpoint?: string;
}

export interface ConsoleProps {
  bucket: s3.IBucket;
  distribution: cloudfront.Distribution;
  /** the S3 origin (OAC) the distribution already reads the bucket through */
  origin: cloudfront.IOrigin;
  /** https://<distribution or custom domain>, no trailing slash */
  cdnUrl: string;
  /** the API's base URL, no trailing slash */
  apiUrl: string;
  /** the sign-in settings (the user pool's issuer, app client, domain endpoints) */
  auth: ConsoleSettings;
  /** origins the page calls besides the API: the sign-in service's (token endpoint) */
  authOrigins: string[];
  /** a prebuilt bundle folder (tests); default: built now from console/src */
  bundleDir?: string;
}

export class Console extends Construct {
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
          contentSecurityPolicy: consoleContentSecurityPolicy([props.apiUrl, ...props.authOrigins]),
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

    for (const d of [assets, pages]) {
      Validations.of(d.handlerRole).acknowledge(
        {
          id: 'AwsSolutions-IAM4',
          reason:
            "CDK's BucketDeployment handler role uses AWSLambdaBasicExecutionRole for its own CloudWatch Logs; it runs only during cloudformation deploys of the console files.",
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "CDK's BucketDeployment copies the console bundle from the CDK asset bucket into the avatar bucket: it needs s3:GetObject*/List* on the asset objects and s3:PutObject*/DeleteObject* on the destination's objects, which CDK grants with object wildcards (the grant it generates, not hand-written).",
        },
      );
    }
  }
}

/** The BucketDeployment handler (a CDK-provided Python function) is shared by the stack. */
export function acknowledgeDeploymentHandler(scope: Construct): void {
  for (const child of scope.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    Validations.of(child).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          "CDK's BucketDeployment handler is a CDK-maintained Python function whose runtime CDK chooses and updates with aws-cdk-lib; it runs only during deploys, never on a request path.",
      },
      {
        id: 'AwsSolutions-IAM4',
        reason:
          "CDK's BucketDeployment handler role uses AWSLambdaBasicExecutionRole for its own CloudWatch Logs; it runs only during deploys.",
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "CDK's BucketDeployment handler reads the console bundle from the CDK asset bucket and writes it under console/ in the avatar bucket, with the object wildcards CDK grants for that.",
      },
    );
  }
}
