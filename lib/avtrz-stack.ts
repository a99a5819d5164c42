/**
 * The avtrz stack: stateful data (table, buckets, HMAC secret), the CDN, the console's user pool,
 * and the API whose functions come from the one route table. Options come validated from
 * lib/context.ts.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FALLBACK, RESOLVER, ROUTES, type Route, TOKEN_CLAIMS } from '../lambdas/routes';
import { TABLE_KEYS } from '../lambdas/store/schema';
import { Alarms } from './constructs/alarms';
import { Api } from './constructs/api';
import { Cdn } from './constructs/cdn';
import { ConsoleSite } from './constructs/console';
import { ConsoleAuth } from './constructs/console-auth';
import { Data } from './constructs/data';
import { AvtrzFunction, PROJECT_ROOT } from './constructs/function';
import { SharpLayer } from './constructs/sharp-layer';
import { OPT_IN_REGIONS, type StackOptions } from './context';

/**
 * The managed-login origin the console's token request goes to, for its CSP. Built from the
 * domain's prefix (a template value) rather than from the domain resource: the CSP is on the
 * distribution, which the pool's trigger function already depends on (AVTRZ_CDN_URL), so a
 * reference to the domain resource would close a cycle.
 */
function loginOrigin(auth: ConsoleAuth): string {
  const prefix = (auth.domain.node.defaultChild as cognito.CfnUserPoolDomain).domain;
  return `https://${prefix}.auth.${Stack.of(auth).region}.amazoncognito.com`;
}

export interface AvtrzStackProps extends StackProps {
  options: StackOptions;
  /** the route table; tests may pass a subset, the app always passes ROUTES */
  routes?: readonly Route[];
}

export class AvtrzStack extends Stack {
  readonly data: Data;
  readonly cdn: Cdn;
  readonly api: Api;
  readonly resolver: AvtrzFunction;
  readonly fallback: AvtrzFunction;
  /** the user pool's pre-token-generation trigger (custom:workspaces into the access token) */
  readonly tokenClaims: AvtrzFunction;
  readonly consoleAuth: ConsoleAuth;
  readonly consoleSite: ConsoleSite;
  /** the console's URL on the CDN (`https://<cdn domain>/console/`) */
  readonly consoleUrl: string;
  readonly hmacSecret: secretsmanager.Secret;
  /** failed asynchronous resolver invocations (background refreshes) */
  readonly resolverFailures: sqs.Queue;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: AvtrzStackProps) {
    super(scope, id, props);
    const o = props.options;
    const prod = o.stage === 'prod';
    const logRetention = o.logRetentionDays as logs.RetentionDays;
    const logRemovalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.data = new Data(this, 'Data', { stage: o.stage });
    const { table, bucket } = this.data;

    // The key of the HMAC that names avatar objects (spec 3: URLs do not reveal the profile).
    // Losing it renames every object, so prod retains it.
    this.hmacSecret = new secretsmanager.Secret(this, 'HmacSecret', {
      description: 'avtrz: HMAC key naming avatar objects',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.hmacSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret keys the HMAC that names every avatar object; rotating it renames all objects and invalidates every cached redirect, so it is changed by an operator-run migration, not by scheduled rotation.',
    });

    // imported, not created: the zone holds the operator's other records and outlives the stack
    const zone = o.hostedZone
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', o.hostedZone)
      : undefined;

    this.cdn = new Cdn(this, 'Cdn', {
      bucket,
      logsBucket: o.cdnLogging ? this.data.logsBucket : undefined,
      loggingOffReason: OPT_IN_REGIONS.includes(this.region)
        ? `CloudFront standard logs (legacy) are not delivered to S3 buckets in opt-in regions such as ${this.region}, and the logs bucket lives in the stack region, so standard logging is off here. The API access logs still record every avatar request (each CDN object URL comes from one); only the CDN fetches themselves go unlogged.`
        : 'The operator turned CloudFront standard logging off with -c cdnLogging=false. The API access logs still record every avatar request (each CDN object URL comes from one); only the CDN fetches themselves go unlogged.',
      domain: o.cdnDomain,
      zone,
    });

    const defaults: Record<string, string> = {
      AVTRZ_STAGE: o.stage,
      AVTRZ_CDN_URL: this.cdn.url,
      AVTRZ_KEY_CACHE_SECONDS: String(o.keyCacheSeconds),
      ...(o.upstreamUrl ? { AVTRZ_UPSTREAM_URL: o.upstreamUrl } : {}),
    };
    const common = { defaults, logRetention, logRemovalPolicy, tracing: o.tracing };
    const indexNames = [TABLE_KEYS.gsi1.indexName];

    // sharp is native: left out of the bundle and provided by a layer with arm64 binaries.
    const sharp = new SharpLayer(this, 'Sharp', { projectRoot: PROJECT_ROOT });
    this.resolver = new AvtrzFunction(this, RESOLVER.id, {
      ...common,
      handler: RESOLVER.handler,
      memoryMb: RESOLVER.memoryMb,
      timeoutSeconds: RESOLVER.timeoutSeconds,
      externalModules: ['sharp'],
      layers: [sharp.layer],
      reservedConcurrency: o.resolverConcurrency,
      description: 'avtrz photo resolver (provider fetch, sharp, S3)',
    });
    this.resolverFailures = this.resolverFailureDestination(this.resolver);
    this.resolver.bindTable(table, RESOLVER.access.table, indexNames);
    this.resolver.bindBucket(bucket, RESOLVER.access.bucket);
    // the HMAC secret: the resolver recomputes every id it is given from the profile
    if (RESOLVER.access.hmacSecret) this.resolver.bindHmacSecret(this.hmacSecret);

    // requests matching no route: catalogue 404/405, no data access at all
    this.fallback = new AvtrzFunction(this, FALLBACK.id, {
      ...common,
      handler: FALLBACK.handler,
      memoryMb: FALLBACK.memoryMb,
      timeoutSeconds: FALLBACK.timeoutSeconds,
      description: 'avtrz: 404/405 for requests matching no route',
    });

    // the console's sign-in: the user pool, its app client and the API's JWT authorizer
    this.tokenClaims = new AvtrzFunction(this, TOKEN_CLAIMS.id, {
      ...common,
      handler: TOKEN_CLAIMS.handler,
      memoryMb: TOKEN_CLAIMS.memoryMb,
      timeoutSeconds: TOKEN_CLAIMS.timeoutSeconds,
      description: 'avtrz: console access-token claims (Cognito pre-token-generation trigger)',
    });
    // the console is served by the CDN (its custom domain, and its own domain when there is one)
    const consoleOrigins = [this.cdn.url];
    if (o.cdnDomain) consoleOrigins.push(`https://${this.cdn.distribution.distributionDomainName}`);
    this.consoleUrl = `${this.cdn.url}/console/`;
    this.consoleAuth = new ConsoleAuth(this, 'Console', {
      prod,
      mfa: o.consoleMfa,
      consoleUrls: consoleOrigins.map((origin) => `${origin}/console/`),
      tokenClaims: this.tokenClaims.fn,
    });

    this.api = new Api(this, 'Api', {
      consoleAuthorizer: this.consoleAuth.authorizer,
      consoleOrigins,
      fallback: this.fallback,
      routes: props.routes ?? ROUTES,
      throttle: o.throttle,
      logRetention,
      logRemovalPolicy,
      domain: o.apiDomain,
      zone,
      functionFor: (route) => {
        const fn = new AvtrzFunction(this, route.id, {
          ...common,
          handler: route.handler,
          memoryMb: route.memoryMb,
          timeoutSeconds: route.timeoutSeconds,
          description: `avtrz ${route.method} ${route.path}`,
        });
        fn.bindTable(table, route.access.table, indexNames);
        if (route.access.bucket) fn.bindBucket(bucket, route.access.bucket);
        if (route.access.hmacSecret) fn.bindHmacSecret(this.hmacSecret);
        if (route.access.resolver) fn.bindResolver(this.resolver);
        return fn;
      },
    });

    // the console's files on the distribution, its config.json from the pool and the API
    this.consoleSite = new ConsoleSite(this, 'ConsoleSite', {
      bucket,
      distribution: this.cdn.distribution,
      origin: this.cdn.origin,
      cdnUrl: this.cdn.url,
      apiUrl: this.api.url,
      apiOrigin: o.apiDomain
        ? `https://${o.apiDomain.domainName}`
        : `https://*.execute-api.${this.region}.${this.urlSuffix}`,
      auth: this.consoleAuth.settings,
      authOrigins: [loginOrigin(this.consoleAuth)],
    });

    this.alarms = new Alarms(this, 'Alarms', {
      httpApi: this.api.httpApi,
      resolver: this.resolver.fn,
      resolverFailures: this.resolverFailures,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the avtrz API' });
    new CfnOutput(this, 'CdnUrl', { value: this.cdn.url, description: 'Origin of every avatar Location' });
    // what DNS points at (README "Deploying"): the alias/CNAME targets of the custom domains
    if (this.api.domainName) {
      new CfnOutput(this, 'ApiRegionalDomainName', {
        value: this.api.domainName.regionalDomainName,
        description: `Target of the DNS record for ${o.apiDomain?.domainName} (alias A/AAAA or CNAME)`,
      });
      new CfnOutput(this, 'ApiRegionalHostedZoneId', {
        value: this.api.domainName.regionalHostedZoneId,
        description: 'Route 53 hosted zone id of ApiRegionalDomainName (for an alias record)',
      });
    }
    new CfnOutput(this, 'CdnDistributionDomainName', {
      value: this.cdn.distribution.distributionDomainName,
      description: o.cdnDomain
        ? `Target of the DNS record for ${o.cdnDomain.domainName} (alias A/AAAA, zone Z2FDTNDATAQYW2, or CNAME)`
        : 'The distribution domain (CdnUrl already uses it)',
    });
    new CfnOutput(this, 'ResolverFailureQueueUrl', {
      value: this.resolverFailures.queueUrl,
      description: 'Background refreshes the resolver failed after its retries (14 days)',
    });
    new CfnOutput(this, 'ResolverFailureQueueName', { value: this.resolverFailures.queueName });
    // what the console's config.json holds (and `npx avtrz users invite` reads the pool id)
    new CfnOutput(this, 'ConsoleUrl', { value: this.consoleUrl, description: 'The console' });
    new CfnOutput(this, 'ConsoleUserPoolId', {
      value: this.consoleAuth.userPool.userPoolId,
      description: 'The console user pool (npx avtrz users invite)',
    });
    new CfnOutput(this, 'ConsoleUserPoolClientId', {
      value: this.consoleAuth.client.userPoolClientId,
      description: "The console's app client (no secret; code + PKCE)",
    });
    new CfnOutput(this, 'ConsoleIssuer', {
      value: this.consoleAuth.issuer,
      description: "The console tokens' issuer (the API's JWT authorizer checks it)",
    });
    new CfnOutput(this, 'ConsoleLoginDomain', {
      value: this.consoleAuth.loginUrl,
      description: 'Managed login (Cognito) base URL: /oauth2/authorize, /oauth2/token, /logout',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'SNS topic of the stack alarms: subscribe to it (docs/operations.md)',
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
  }

  /**
   * Asynchronous invocations of the resolver (background refreshes, InvocationType Event) that
   * still fail after their retries, or that wait longer than their event age (throttled by the
   * reserved concurrency), land in an encrypted queue instead of vanishing. Synchronous lookups
   * do not go there: their caller sees the error and serves the initials.
   */
  private resolverFailureDestination(resolver: AvtrzFunction): sqs.Queue {
    const queue = new sqs.Queue(this, 'ResolverFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter destination of the resolver's failed asynchronous invocations; nothing consumes it automatically, so a redrive queue behind it would only hold the same messages again. Operators read it (or redrive a refresh by invoking the resolver) within its 14-day retention.",
    });
    // Only sqs:SendMessage, which is all Lambda uses to deliver a failure record; SqsDestination
    // would also grant GetQueueAttributes/GetQueueUrl through grantSendMessages.
    resolver.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
    const onFailure: lambda.IDestination = { bind: () => ({ destination: queue.queueArn }) };
    resolver.fn.configureAsyncInvoke({
      // One retry covers a transient DynamoDB/S3/provider fault; a refresh that fails twice is
      // asked for again by the next request for that stale profile anyway.
      retryAttempts: 1,
      // A refresh still throttled after an hour is stale news: the next request asks again.
      maxEventAge: Duration.hours(1),
      onFailure,
    });
    return queue;
  }
}
