/**
 * CloudFront in front of the private bucket.
 *
 * - The bucket is read through Origin Access Control (SigV4-signed by CloudFront), never public.
 * - Only `/a/*` (the served variants and initials SVGs) is routed to the bucket. The default
 *   behaviour answers 404 from a CloudFront Function before any origin request, so `o/`
 *   originals and any other key are unreachable through the CDN; as a second, independent
 *   guard the bucket policy denies CloudFront every object under `o/`.
 * - A response headers policy adds nosniff, the SVG-safe CSP, HSTS, no-referrer and the
 *   immutable Cache-Control (without overriding one the object carries).
 * - HTTPS only; TLS 1.2 minimum when a custom domain with its own certificate is configured.
 * - CloudFront is global: the names of its policies, origin access control and functions are
 *   unique per account, not per region, so each name carries the stack name AND the region
 *   (cloudFrontName) and the same stage deploys in two regions of one account. The cache policies
 *   are AWS-managed ones (nothing named is created); a policy added here must use cloudFrontName
 *   (as the console's own cache policy in console.ts does).
 * - Standard logging (legacy) to the logs bucket, unless `logsBucket` is absent (opt-in regions,
 *   where CloudFront cannot deliver to a bucket in the stack's region; lib/context.ts cdnLogging).
 * - With a hosted zone, A and AAAA alias records point the custom domain at the distribution.
 */
import { createHash } from 'node:crypto';
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CustomDomain } from '../context';
import {
  CDN_CACHE_CONTROL,
  CDN_CONTENT_SECURITY_POLICY,
  CDN_HSTS_SECONDS,
  CDN_SERVED_PATH_PATTERN,
} from './cdn-headers';

export interface CdnProps {
  bucket: s3.Bucket;
  /** standard logs go here under `cdn/`; absent = no standard logging */
  logsBucket?: s3.IBucket;
  /** why there is no standard logging (the cdk-nag acknowledgement); required without logsBucket */
  loggingOffReason?: string;
  domain?: CustomDomain;
  /** where the alias records of `domain` go; ignored without a domain */
  zone?: route53.IHostedZone;
}

/** Name limits of the named CloudFront resources (CloudFront API reference). */
export const CLOUDFRONT_NAME_MAX = {
  responseHeadersPolicy: 128,
  originAccessControl: 64,
  function: 64,
  cachePolicy: 128,
} as const;
/** Longest region code (ap-southeast-5 and friends): the budget when the region is a token. */
const REGION_MAX = 14;

/**
 * `<stack>-<region>-<suffix>`, at most `maxLength` characters. A long stack name is cut and given
 * 8 hex digits of its hash, so two long names still differ; the region is never cut (it is the
 * part that tells two regions' resources apart). In an environment-agnostic stack the region is
 * the AWS::Region token, resolved by CloudFormation.
 */
export function cloudFrontName(scope: Construct, suffix: string, maxLength: number): string {
  const stack = Stack.of(scope);
  const region = stack.region;
  const regionLength = Token.isUnresolved(region) ? REGION_MAX : region.length;
  const budget = maxLength - regionLength - suffix.length - 2;
  let name = stack.stackName;
  if (name.length > budget) {
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    name = `${name.slice(0, Math.max(0, budget - 9))}-${hash}`.replace(/^-/, '');
  }
  return `${name}-${region}-${suffix}`;
}

/** Viewer-request function of the default behaviour: nothing outside /a/* is served. */
export const NOT_FOUND_FUNCTION_CODE = `function handler(event) {
  return { statusCode: 404, statusDescription: 'Not Found', headers: { 'cache-control': { value: 'no-store' } } };
}`;

export class Cdn extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** the bucket through Origin Access Control: the console's behaviour (console.ts) reads it too */
  readonly origin: cloudfront.IOrigin;
  /** https://<custom domain or distribution domain>, no trailing slash */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: cloudFrontName(this, 'headers', CLOUDFRONT_NAME_MAX.responseHeadersPolicy),
      comment: 'avtrz avatar objects: nosniff, SVG-safe CSP, HSTS, immutable caching',
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        contentSecurityPolicy: { contentSecurityPolicy: CDN_CONTENT_SECURITY_POLICY, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(CDN_HSTS_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cache-Control', value: CDN_CACHE_CONTROL, override: false }],
      },
    });

    const originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      originAccessControlName: cloudFrontName(this, 'oac', CLOUDFRONT_NAME_MAX.originAccessControl),
      description: 'avtrz: CloudFront reads the avatar bucket (SigV4)',
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(props.bucket, {
      originAccessControl,
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
    this.origin = origin;

    const notFound = new cloudfront.Function(this, 'NotFound', {
      functionName: cloudFrontName(this, 'not-found', CLOUDFRONT_NAME_MAX.function),
      code: cloudfront.FunctionCode.fromInline(NOT_FOUND_FUNCTION_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'avtrz: only /a/* is served',
    });

    const certificate = props.domain
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn)
      : undefined;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'avtrz avatars',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          { function: notFound, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        [CDN_SERVED_PATH_PATTERN]: {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headers,
          compress: true,
        },
      },
      domainNames: props.domain ? [props.domain.domainName] : undefined,
      certificate,
      // only meaningful with our own certificate; the default certificate's policy is fixed
      minimumProtocolVersion: certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: props.logsBucket !== undefined,
      logBucket: props.logsBucket,
      logFilePrefix: props.logsBucket ? 'cdn/' : undefined,
    });

    // Second guard: even if a behaviour were added later, CloudFront may never read originals.
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyCloudFrontOriginals',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects('o/*')],
      }),
    );

    this.url = `https://${props.domain ? props.domain.domainName : this.distribution.distributionDomainName}`;

    if (props.domain && props.zone) {
      // the distribution answers on IPv4 and IPv6 (enableIpv6 is CloudFront's default), so both
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
      const recordName = props.domain.domainName;
      new route53.ARecord(this, 'AliasA', { zone: props.zone, recordName, target });
      new route53.AaaaRecord(this, 'AliasAaaa', { zone: props.zone, recordName, target });
    }

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Avatars appear on customer pages for visitors anywhere; a geo restriction would break images for legitimate users. Operators who need one can add it.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves only immutable GET/HEAD objects from a private bucket (OAC), named by an unguessable keyed hash, with everything else answered 404 at the edge; there is no dynamic origin or request body for a WAF to inspect. A WebACL must live in us-east-1 and is left to operators who want one.',
      },
    );
    if (!props.logsBucket) {
      if (!props.loggingOffReason)
        throw new Error(`${this.node.path}: no logsBucket and no loggingOffReason`);
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR3',
        reason: props.loggingOffReason,
      });
    }
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront uses its default *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1. Set cdnDomainName and cdnCertificateArn to enforce TLSv1.2_2021 (the stack sets it).',
      });
    }
  }
}
