/**
 * THE function construct: every Lambda of the stack (one per route, plus the resolver) is built
 * here, so runtime, architecture, bundling, logging and permissions cannot drift between them.
 *
 * - nodejs22.x on arm64, bundled by esbuild (minified, source maps, target node22, cjs).
 * - its own log group with retention, and its own role that may write only to that log group
 *   (no AWSLambdaBasicExecutionRole, which would allow every log group in the account).
 * - `environment` is merged with the defaults and with what the bind* helpers add; setting a
 *   variable that is already set to a different value throws instead of silently replacing it.
 * - bind* helpers set the environment variable and the IAM grant together, scoped to exactly
 *   the actions the access level needs.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export const RUNTIME = lambda.Runtime.NODEJS_22_X;
export const ESBUILD_TARGET = 'node22';
/** Left out of every bundle: the nodejs22.x runtime provides AWS SDK v3. */
export const SDK_FROM_RUNTIME = ['@aws-sdk/*'];

/**
 * DynamoDB actions per access level: only what lambdas/store issues (Transactions are authorised
 * through these item actions). Nothing deletes, so no DeleteItem/BatchWriteItem/ConditionCheckItem:
 * test/infra/least-privilege.test.ts fails when the store starts issuing an action not granted here.
 */
export const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readwrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
} as const;

/**
 * S3 object prefixes per access level (lambdas/store/schema.ts s3Key): `a/` holds the served
 * variants, `o/` the provider's originals. Readers see only `a/`.
 */
export const BUCKET_ACCESS = {
  read: { actions: ['s3:GetObject'], prefixes: ['a/'] },
  /** the public avatar/batch functions: store an initials SVG when the resolver is unreachable */
  write: { actions: ['s3:PutObject'], prefixes: ['a/'] },
  /** the MCP function: as `write`, and reads the served image back to inline it; never originals */
  served: { actions: ['s3:GetObject', 's3:PutObject'], prefixes: ['a/'] },
  readwrite: { actions: ['s3:GetObject', 's3:PutObject'], prefixes: ['a/', 'o/'] },
} as const;
export type BucketAccess = keyof typeof BUCKET_ACCESS;

export interface AvtrzFunctionProps {
  /** folder under lambdas/ holding handler.ts */
  handler: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  /** variables every function gets (stage, CDN URL, ...) */
  defaults?: Record<string, string>;
  /** this function's own variables; merged with defaults, never replacing one */
  environment?: Record<string, string>;
  logRetention: logs.RetentionDays;
  /** prod keeps log groups when the stack is deleted */
  logRemovalPolicy?: RemovalPolicy;
  tracing?: boolean;
  /** modules left out of the bundle (provided by a layer or the runtime) */
  externalModules?: string[];
  layers?: lambda.ILayerVersion[];
  description?: string;
  /** reserved concurrent executions; unset = the account's unreserved pool */
  reservedConcurrency?: number;
}

/** The variables every function gets, whatever its props say. */
const BASE_ENV: Record<string, string> = {
  // the bundle ships a source map; this makes stack traces in the logs point at the TypeScript
  NODE_OPTIONS: '--enable-source-maps',
};

export class AvtrzFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  private readonly env: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: AvtrzFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `avtrz ${props.handler} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'lambdas', props.handler, 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb ?? 256,
      timeout: Duration.seconds(props.timeoutSeconds ?? 10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      layers: props.layers,
      reservedConcurrentExecutions: props.reservedConcurrency,
      description: props.description ?? `avtrz ${props.handler}`,
      bundling: {
        minify: true,
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.DEFAULT,
        sourcesContent: false,
        target: ESBUILD_TARGET,
        format: nodejs.OutputFormat.CJS,
        // The AWS SDK v3 comes from the Lambda runtime (nodejs22.x ships it): the avatar bundle is
        // then ~26 KB instead of ~890 KB, and its cold import is no slower than a bundle holding
        // only the DynamoDB document client (`npm run bench`). The price is that the SDK's patch
        // version is the runtime's, not our lock file's; the handlers use only long-stable APIs.
        // Modules named by the function (sharp) are left to a layer.
        bundleAwsSDK: false,
        externalModules: [...SDK_FROM_RUNTIME, ...(props.externalModules ?? [])],
        // The handlers load some SDK clients lazily with `await import('@aws-sdk/…')`. Left as a
        // dynamic import inside a CJS bundle, that resolves through the ESM loader, which does
        // not read NODE_PATH: it finds the runtime's SDK only by an undocumented edge of the
        // nodejs22.x image. Lowered to `Promise.resolve().then(() => require(…))` it is a plain
        // require through NODE_PATH (/var/runtime/node_modules), the documented way.
        esbuildArgs: { '--supported:dynamic-import': 'false' },
        logLevel: nodejs.LogLevel.ERROR,
      },
    });

    // one variable at a time through setEnv, so a clash at any level throws instead of replacing
    for (const layer of [BASE_ENV, props.defaults ?? {}, props.environment ?? {}]) {
      for (const [k, v] of Object.entries(layer)) this.setEnv(k, v);
    }

    if (props.tracing) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions; CDK adds them only when tracing is enabled.',
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `Pinned to ${RUNTIME.name} on purpose: the bundles target ${ESBUILD_TARGET} and take the AWS SDK from this runtime, so a runtime change is a deliberate move of every function together, not a silent drift to whatever is latest.`,
    });
  }

  /** The environment as set so far (a copy). */
  get environment(): Record<string, string> {
    return { ...this.env };
  }

  /** Add a variable; refuses to replace one that already has a different value. */
  setEnv(key: string, value: string): void {
    if (key in this.env && this.env[key] !== value) {
      throw new Error(
        `${this.node.path}: environment variable ${key} is already set; refusing to overwrite it`,
      );
    }
    this.env[key] = value;
    this.fn.addEnvironment(key, value);
  }

  /** AVTRZ_TABLE + exactly the item actions of `access` on the table and its gsi1 index. */
  bindTable(table: dynamodb.ITable, access: 'read' | 'readwrite', indexNames: readonly string[]): void {
    this.setEnv('AVTRZ_TABLE', table.tableName);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...TABLE_ACTIONS[access]],
        resources: [table.tableArn, ...indexNames.map((n) => `${table.tableArn}/index/${n}`)],
      }),
    );
  }

  /**
   * AVTRZ_BUCKET + object actions under the access level's prefixes, and ListBucket (404, not 403,
   * for a missing object) for the levels that read.
   */
  bindBucket(bucket: s3.IBucket, access: BucketAccess): void {
    this.setEnv('AVTRZ_BUCKET', bucket.bucketName);
    const { actions, prefixes } = BUCKET_ACCESS[access];
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
      }),
    );
    // Without ListBucket S3 answers 403 instead of 404 for a missing object, and the store
    // could not tell "not there yet" from "denied". No s3:prefix condition: S3 evaluates this
    // permission for HeadObject/GetObject, where that condition key is absent.
    if (access !== 'write') {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    }
    const logical = bucketLogicalId(bucket);
    for (const p of prefixes) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logical}.Arn>/${p}*]`,
        reason: `Objects under ${p} are named by a keyed hash of the profile (lambdas/store/schema.ts s3Key) and cannot be listed at deploy time; access is limited to that prefix and to ${actions.join(', ')}.`,
      });
    }
  }

  /** AVTRZ_HMAC_SECRET_ARN + read of that one secret. */
  bindHmacSecret(secret: secretsmanager.ISecret): void {
    this.setEnv('AVTRZ_HMAC_SECRET_ARN', secret.secretArn);
    secret.grantRead(this.role);
  }

  /** AVTRZ_RESOLVER_FUNCTION + lambda:InvokeFunction on that function only (unqualified). */
  bindResolver(resolver: AvtrzFunction): void {
    this.setEnv('AVTRZ_RESOLVER_FUNCTION', resolver.fn.functionName);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [resolver.fn.functionArn] }),
    );
  }
}

function bucketLogicalId(bucket: s3.IBucket): string {
  const cfn = bucket.node.defaultChild as s3.CfnBucket | undefined;
  if (!cfn) throw new Error('bindBucket needs a bucket defined in this app');
  return Stack.of(cfn).resolve(cfn.logicalId) as string;
}
