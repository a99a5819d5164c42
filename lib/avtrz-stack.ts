/**
 * The avtrz stack: stateful data (table, buckets, HMAC secret), the CDN, and the API whose
 * functions come from the one route table. Options come validated from lib/context.ts.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { RESOLVER, ROUTES, type Route } from '../lambdas/routes';
import { TABLE_KEYS } from '../lambdas/store/schema';
import { Api } from './constructs/api';
import { Cdn } from './constructs/cdn';
import { Data } from './constructs/data';
import { AvtrzFunction, PROJECT_ROOT } from './constructs/function';
import { SharpLayer } from './constructs/sharp-layer';
import type { StackOptions } from './context';

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
  readonly hmacSecret: secretsmanager.Secret;

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

    this.cdn = new Cdn(this, 'Cdn', { bucket, logsBucket: this.data.logsBucket, domain: o.cdnDomain });

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
      description: 'avtrz photo resolver (provider fetch, sharp, S3)',
    });
    this.resolver.bindTable(table, 'readwrite', indexNames);
    this.resolver.bindBucket(bucket, 'readwrite');
    // no HMAC secret: the resolver gets object ids from its callers, and it is the one function
    // that talks to the internet

    // requests matching no route: catalogue 404/405, no data access at all
    this.fallback = new AvtrzFunction(this, 'Fallback', {
      ...common,
      handler: 'fallback',
      memoryMb: 128,
      timeoutSeconds: 3,
      description: 'avtrz: 404/405 for requests matching no route',
    });

    this.api = new Api(this, 'Api', {
      fallback: this.fallback,
      routes: props.routes ?? ROUTES,
      throttle: o.throttle,
      logRetention,
      logRemovalPolicy,
      domain: o.apiDomain,
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

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the avtrz API' });
    new CfnOutput(this, 'CdnUrl', { value: this.cdn.url, description: 'Origin of every avatar Location' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
  }
}
