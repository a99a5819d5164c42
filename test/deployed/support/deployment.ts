/**
 * `cdk deploy`, on this machine: synthesize the stack, then bring up what the template describes
 * with local stand-ins, and run every function's bundle as Lambda would (function-host.ts).
 *
 *   AWS::DynamoDB::Table        DynamoDB Local, table created from the template's key schema
 *   AWS::S3::Bucket             s3rver, bucket named as CloudFormation would
 *   AWS::CloudFront::Distribution  lib/local/cdn.ts reading that bucket (OAC: the bucket is private)
 *   AWS::SecretsManager::Secret Secrets Manager stand-in holding a generated value
 *   AWS::Lambda::Function       one FunctionHost per function, Node 22, template environment
 *   AWS::ApiGatewayV2::*        API Gateway stand-in: the template's routes, IAM routes SigV4-checked,
 *                               JWT routes verified by the template's JwtConfiguration and scopes
 *   AWS::Cognito::*             the user pool's issuer (support/cognito.ts): RS256 access tokens for
 *                               the app client, through the pool's own token trigger function
 *   Custom::CDKBucketDeployment its sources copied into the bucket stand-in, deploy-time markers
 *                               resolved, with its metadata (its Python handler is not run:
 *                               template.ts BUCKET_DEPLOYMENT_HANDLER_NOT_RUN); the CDN stand-in
 *                               serves the console behaviour with the template's headers policy
 *   Lambda Invoke API           for the avatar/batch → resolver calls, sync and async
 *   AWS::CloudWatch::Alarm, AWS::SNS::Topic  physical names only: no function refers to them and
 *                               nothing runs them here (what they watch: test/infra/alarms.test.ts)
 *
 * The functions get the template's variables with Refs and GetAtts resolved to those stand-ins,
 * plus only AWS_REGION, credentials and AWS_ENDPOINT_URL_* (function-host.ts enforces this).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createCdn } from '../../../lib/local/cdn';
import { verifyJwtAuthorizer } from '../../../lib/local/jwt-authorizer';
import { freePorts, LOCAL_CREDENTIALS, startDynamo, startS3 } from '../../../lib/local/services';
import { type Provider, startProvider } from '../../support/provider';
import {
  type ApiCall,
  type AsyncFailure,
  type Credentials,
  createApiGateway,
  createLambdaApi,
  createSecretsManager,
} from './aws-standins';
import { type UserPoolStandIn, userPoolOf } from './cognito';
import { arm64Sysroot, FunctionHost } from './function-host';
import { type IntrinsicContext, type Physical, resolve as resolveIntrinsic } from './intrinsics';
import { type Arch, buildOnce, ensureNode, ensureSdkDir, qemuAarch64, ROOT } from './lambda-node';
import {
  type Assembly,
  type BucketDeploymentSpec,
  bucketDeploymentsOf,
  type Cfn,
  eventInvokeConfigs,
  type FunctionSpec,
  functionsOf,
  type RouteSpec,
  routesOf,
  synthesize,
  tableOf,
} from './template';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
/** The operator's IAM credentials (the CLI signs with these). */
export const OPERATOR: Credentials = {
  accessKeyId: 'AKIAOPERATOR0EXAMPLE',
  secretAccessKey: 'operator-secret-key',
};
/**
 * What Lambda hands every function (its execution role's session), as environment variables.
 * s3rver accepts only its own key pair, so the role's keys are those; the session token is ours.
 */
export const FUNCTION_ROLE: Credentials & { sessionToken: string } = {
  ...LOCAL_CREDENTIALS,
  sessionToken: 'function-role-session-token',
};
const CDN_DOMAIN = 'd1deployedtier.cloudfront.net';

export interface DeployOptions {
  /** the machine the bundles run on (arm64: under qemu) */
  arch?: Arch;
  /** extra `-c` context for the synth (stage=prod and upstreamUrl are set) */
  context?: Record<string, string>;
  /** a synthesized assembly to use instead of synthesizing (the same template, less time) */
  assembly?: Assembly;
  /** start only these function logical ids (default: all) */
  only?: (spec: FunctionSpec) => boolean;
}

export interface Deployment {
  assembly: Assembly;
  apiUrl: string;
  /** what the template says every avatar Location starts with */
  cdnOrigin: string;
  provider: Provider;
  functions: FunctionSpec[];
  routes: RouteSpec[];
  hosts: Map<string, FunctionHost>;
  /** each function's resolved template environment */
  environments: Map<string, Record<string, string>>;
  calls: ApiCall[];
  /** the template's user pool (the console's sign-in), when it has one */
  userPool?: UserPoolStandIn;
  /** the Lambda Invoke API stand-in (what AWS_ENDPOINT_URL_LAMBDA points the functions at) */
  lambdaEndpoint: string;
  asyncFailures: AsyncFailure[];
  secretReads: string[];
  logs: string[];
  /** GET a Location on the CDN (the stand-in behind the template's domain name) */
  cdnGet(location: string): Promise<Response>;
  /** wait for the async invocations in flight (background refreshes) */
  settle(): Promise<void>;
  s3(): S3Client;
  stop(): Promise<void>;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
}

/** CloudFormation's generated names: `<stack>-<logicalId>-<suffix>`, within the resource's limit. */
function physicalName(stack: string, logicalId: string, max: number, lower = false): string {
  const suffix = randomBytes(6).toString('hex').toUpperCase();
  const name = `${stack}-${logicalId}`.slice(0, max - suffix.length - 1);
  const full = `${name}-${suffix}`;
  return lower ? full.toLowerCase() : full;
}

/** sharp's x64 binaries at the project's sharp version (the layer carries arm64 ones). */
function sharpX64Overlay(): string {
  const nm = path.join(ROOT, 'node_modules');
  const version = JSON.parse(readFileSync(path.join(nm, 'sharp', 'package.json'), 'utf8')).version;
  const dir = buildOnce(path.join(ROOT, '.cache', 'lambda-sharp-x64', version), (tmp) => {
    for (const pkg of ['@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64']) {
      cpSync(path.join(nm, pkg), path.join(tmp, 'node_modules', pkg), { recursive: true, dereference: true });
    }
  });
  return path.join(dir, 'node_modules');
}

export async function deploy(opts: DeployOptions = {}): Promise<Deployment> {
  const arch = opts.arch ?? 'x64';
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const provider = await startProvider();
    cleanups.push(() => provider.close());
    const assembly =
      opts.assembly ?? (await synthesize({ stage: 'prod', upstreamUrl: provider.template, ...opts.context }));
    if (!opts.assembly) cleanups.push(() => rmSync(assembly.dir, { recursive: true, force: true }));
    const res = assembly.template.Resources;
    const stack = assembly.stackName;

    // 1. physical names for what the template creates
    const resources: Record<string, Physical> = {};
    const secrets = new Map<string, { arn: string; name: string; value: string }>();
    const functionNames = new Map<string, { name: string; arn: string }>();
    for (const [id, r] of Object.entries(res)) {
      switch (r.Type) {
        case 'AWS::DynamoDB::Table': {
          const name = physicalName(stack, id, 255);
          resources[id] = {
            ref: name,
            attrs: { Arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}` },
          };
          break;
        }
        case 'AWS::S3::Bucket': {
          const name = physicalName(stack, id, 63, true);
          resources[id] = {
            ref: name,
            attrs: { Arn: `arn:aws:s3:::${name}`, RegionalDomainName: `${name}.s3.${REGION}.amazonaws.com` },
          };
          break;
        }
        case 'AWS::Lambda::Function': {
          const name = r.Properties?.FunctionName ?? physicalName(stack, id, 64);
          const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
          functionNames.set(id, { name, arn });
          resources[id] = { ref: name, attrs: { Arn: arn } };
          break;
        }
        case 'AWS::SecretsManager::Secret': {
          const name = r.Properties?.Name ?? `${id}-${randomBytes(6).toString('hex')}`;
          const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
          secrets.set(id, { arn, name, value: randomBytes(32).toString('hex') });
          resources[id] = { ref: arn };
          break;
        }
        case 'AWS::ApiGatewayV2::Api':
          // ApiEndpoint becomes the API Gateway stand-in's URL once it listens (below)
          resources[id] = { ref: `api${id.length}`, attrs: {} };
          break;
        case 'AWS::CloudFront::Distribution':
          resources[id] = { ref: 'E1DEPLOYEDTIER', attrs: { DomainName: CDN_DOMAIN, Id: 'E1DEPLOYEDTIER' } };
          break;
        case 'AWS::SQS::Queue': {
          const name = physicalName(stack, id, 80);
          resources[id] = {
            ref: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`,
            attrs: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`, QueueName: name },
          };
          break;
        }
        case 'AWS::Cognito::UserPool': {
          const poolId = `${REGION}_${randomBytes(5).toString('hex')}`;
          resources[id] = {
            ref: poolId,
            attrs: {
              Arn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${poolId}`,
              ProviderURL: `https://cognito-idp.${REGION}.amazonaws.com/${poolId}`,
              ProviderName: `cognito-idp.${REGION}.amazonaws.com/${poolId}`,
              UserPoolId: poolId,
            },
          };
          break;
        }
        case 'AWS::Cognito::UserPoolClient':
          resources[id] = { ref: randomBytes(13).toString('hex') };
          break;
        case 'AWS::Cognito::UserPoolResourceServer':
          // Ref of a resource server is its identifier
          resources[id] = { ref: r.Properties.Identifier };
          break;
        case 'AWS::Cognito::UserPoolGroup':
          resources[id] = { ref: r.Properties.GroupName };
          break;
        case 'AWS::Cognito::UserPoolDomain':
        case 'AWS::Cognito::ManagedLoginBranding':
        case 'AWS::ApiGatewayV2::Authorizer':
          resources[id] = { ref: randomBytes(5).toString('hex') };
          break;
        case 'AWS::SNS::Topic': {
          const name = r.Properties?.TopicName ?? physicalName(stack, id, 256);
          const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
          resources[id] = { ref: arn, attrs: { TopicArn: arn, TopicName: name } };
          break;
        }
        case 'AWS::CloudWatch::Alarm': {
          const name = r.Properties?.AlarmName ?? physicalName(stack, id, 255);
          resources[id] = {
            ref: name,
            attrs: { Arn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}` },
          };
          break;
        }
        case 'AWS::Logs::LogGroup': {
          const name = r.Properties?.LogGroupName ?? physicalName(stack, id, 512);
          resources[id] = {
            ref: name,
            attrs: { Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*` },
          };
          break;
        }
      }
    }
    const ictx: IntrinsicContext = { region: REGION, accountId: ACCOUNT, stackName: stack, resources };

    // 2. the real local parts
    const [dport, sport] = await freePorts(2);
    const s3dir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-deployed-s3-'));
    cleanups.push(() => rmSync(s3dir, { recursive: true, force: true }));
    const [dynamo, s3srv] = await Promise.all([startDynamo(dport), startS3(sport, s3dir)]);
    cleanups.push(
      () => dynamo.stop(),
      () => s3srv.stop(),
    );
    const clientCreds = {
      accessKeyId: FUNCTION_ROLE.accessKeyId,
      secretAccessKey: FUNCTION_ROLE.secretAccessKey,
    };
    const ddb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: clientCreds });
    cleanups.push(() => ddb.destroy());
    const table = tableOf(assembly);
    const tp = table.props;
    await ddb.send(
      new CreateTableCommand({
        TableName: resources[table.logicalId].ref,
        AttributeDefinitions: tp.AttributeDefinitions,
        KeySchema: tp.KeySchema,
        BillingMode: tp.BillingMode,
        GlobalSecondaryIndexes: tp.GlobalSecondaryIndexes,
      }),
    );
    const s3 = new S3Client({
      endpoint: s3srv.endpoint,
      region: REGION,
      credentials: clientCreds,
      forcePathStyle: true,
    });
    cleanups.push(() => s3.destroy());
    const buckets = Object.entries(res).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
    for (const [id] of buckets) await s3.send(new CreateBucketCommand({ Bucket: resources[id].ref }));

    // the distribution's origin: the bucket its S3 origin names
    const dist = Object.values(res).find((r) => r.Type === 'AWS::CloudFront::Distribution');
    const originDomain = resolveIntrinsic(dist?.Properties.DistributionConfig.Origins[0].DomainName, ictx);
    const originBucket = buckets
      .map(([id]) => resources[id].ref)
      .find((b) => originDomain.startsWith(`${b}.`));
    if (!originBucket)
      throw new Error(`the distribution's origin ${originDomain} is none of the template's buckets`);
    // the console behaviour's response headers, as its policy says (resolved once the API listens)
    const consoleHeaders: Record<string, string> = {};
    const cdn = createCdn({ s3: () => s3, bucket: originBucket, console: { headers: consoleHeaders } });
    const cdnPort = await listen(cdn);
    cleanups.push(() => closeServer(cdn));

    // 3. the functions
    const functions = functionsOf(assembly).filter(opts.only ?? (() => true));
    const routes = routesOf(assembly);
    const hosts = new Map<string, FunctionHost>();
    const environments = new Map<string, Record<string, string>>();
    const logs: string[] = [];
    const calls: ApiCall[] = [];
    const asyncFailures: AsyncFailure[] = [];
    const secretReads: string[] = [];
    const inFlight = new Set<Promise<unknown>>();

    const servers = {
      lambda: createLambdaApi({
        hostFor: (nameOrArn) => {
          const plain = /:function:([^:]+)/.exec(nameOrArn)?.[1] ?? nameOrArn;
          return [...hosts.values()].find((h) => h.name === plain);
        },
        asyncConfig: (host) => {
          const cfg = eventInvokeConfigs(assembly).get(host.spec.logicalId);
          return {
            maxRetries: cfg?.maxRetries ?? 2,
            destination: cfg?.onFailure ? resolveIntrinsic(cfg.onFailure, ictx) : undefined,
            arn: functionNames.get(host.spec.logicalId)?.arn as string,
          };
        },
        region: REGION,
        credentials: [FUNCTION_ROLE],
        asyncFailures,
        inFlight,
      }),
      secrets: createSecretsManager({
        secrets,
        region: REGION,
        credentials: [FUNCTION_ROLE],
        reads: secretReads,
      }),
    };
    const lambdaPort = await listen(servers.lambda);
    const secretsPort = await listen(servers.secrets);
    cleanups.push(
      () => closeServer(servers.lambda),
      () => closeServer(servers.secrets),
    );

    const node = ensureNode(arch);
    const sdkModules = ensureSdkDir();
    const qemu = arch === 'arm64' ? qemuAarch64() : undefined;
    const sysroot = arch === 'arm64' ? arm64Sysroot() : undefined;
    if (arch === 'arm64' && (!qemu || !sysroot)) {
      throw new Error('arm64 needs qemu-user-static and libc6-arm64-cross (apt-get install them)');
    }
    const overrides = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: FUNCTION_ROLE.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FUNCTION_ROLE.secretAccessKey,
      AWS_SESSION_TOKEN: FUNCTION_ROLE.sessionToken,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3srv.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${lambdaPort}`,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${secretsPort}`,
    };
    for (const spec of functions) {
      const environment: Record<string, string> = {};
      for (const [k, v] of Object.entries(spec.environment)) environment[k] = resolveIntrinsic(v, ictx);
      environments.set(spec.logicalId, environment);
      const carriesSharp = spec.layers.some((l) =>
        existsSync(path.join(l, 'nodejs', 'node_modules', 'sharp')),
      );
      const { name, arn } = functionNames.get(spec.logicalId) as { name: string; arn: string };
      const host = new FunctionHost(spec, {
        name,
        arn,
        environment,
        overrides,
        node,
        qemu: qemu && sysroot ? { binary: qemu, sysroot } : undefined,
        sdkModules,
        extraNodePath: arch === 'x64' && carriesSharp ? [sharpX64Overlay()] : [],
        onLog: (line) => logs.push(`${spec.logicalId}: ${line}`),
      });
      hosts.set(spec.logicalId, host);
      cleanups.push(() => host.stop());
    }

    const userPool = await userPoolOf(assembly, ictx, (id) => hosts.get(id));
    const gateway = createApiGateway({
      verifyJwt: (route, authorization) => {
        if (!route.jwt || !userPool) throw new Error(`${route.routeKey}: no user pool behind its authorizer`);
        const issuer = resolveIntrinsic(route.jwt.issuer, ictx);
        // API Gateway fetches the issuer's JWKS: here the only issuer is the template's user pool
        if (issuer !== userPool.issuer)
          throw new Error(`${route.routeKey}: issuer ${issuer} is not the user pool`);
        return verifyJwtAuthorizer(authorization, {
          jwks: userPool.jwks,
          issuer,
          audience: route.jwt.audience.map((a) => resolveIntrinsic(a, ictx)),
          scopes: route.jwt.scopes,
        });
      },
      routes,
      hostFor: (id) => {
        const h = hosts.get(id);
        if (!h) throw new Error(`function ${id} was not started`);
        return h;
      },
      region: REGION,
      accountId: ACCOUNT,
      iamCredentials: [OPERATOR],
      calls,
    });
    const apiPort = await listen(gateway);
    cleanups.push(() => closeServer(gateway));
    for (const [id, r] of Object.entries(res)) {
      if (r.Type === 'AWS::ApiGatewayV2::Api')
        resources[id].attrs = { ApiEndpoint: `http://127.0.0.1:${apiPort}` };
    }

    // 4. what CloudFormation's custom resources would have put into the buckets
    for (const spec of bucketDeploymentsOf(assembly)) await applyBucketDeployment(s3, spec, ictx);
    Object.assign(consoleHeaders, consoleBehaviourHeaders(dist?.Properties.DistributionConfig, res, ictx));

    const cdnOrigin = `https://${CDN_DOMAIN}`;
    return {
      assembly,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      cdnOrigin,
      provider,
      functions,
      routes,
      hosts,
      environments,
      calls,
      userPool,
      lambdaEndpoint: `http://127.0.0.1:${lambdaPort}`,
      asyncFailures,
      secretReads,
      logs,
      cdnGet: (location) => {
        if (!location.startsWith(`${cdnOrigin}/`)) throw new Error(`${location} is not on the CDN`);
        return fetch(`http://127.0.0.1:${cdnPort}${location.slice(cdnOrigin.length)}`);
      },
      settle: async () => {
        while (inFlight.size) await Promise.allSettled([...inFlight]);
      },
      s3: () => s3,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.txt': 'text/plain',
};

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory()
      ? filesUnder(p, base)
      : [path.relative(base, p).split(path.sep).join('/')];
  });
}

/**
 * What CDK's BucketDeployment handler does on Create: every file of every source under the
 * prefix, deploy-time markers (Source.jsonData's tokens) replaced by their resolved values, the
 * system metadata (Cache-Control) on each object, the content type guessed from the extension.
 * Prune only deletes objects a previous deployment left, and this is the first one.
 */
async function applyBucketDeployment(s3: S3Client, spec: BucketDeploymentSpec, ictx: IntrinsicContext) {
  const bucket = resolveIntrinsic(spec.destinationBucket, ictx);
  const unknown = Object.keys(spec.systemMetadata).filter((k) => k !== 'cache-control');
  if (unknown.length) throw new Error(`${spec.logicalId}: metadata ${unknown.join(', ')} is not modelled`);
  for (const source of spec.sources) {
    const markers = Object.entries(source.markers).map(([m, v]: [string, Cfn]) => [
      m,
      resolveIntrinsic(v, ictx),
    ]);
    for (const rel of filesUnder(source.dir)) {
      let body: Buffer | string = readFileSync(path.join(source.dir, rel));
      if (markers.length) {
        let text = body.toString('utf8');
        for (const [m, v] of markers) text = text.split(m).join(v);
        body = text;
      }
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${spec.prefix}${rel}`,
          Body: body,
          ContentType: CONTENT_TYPES[path.extname(rel)] ?? 'application/octet-stream',
          CacheControl: spec.systemMetadata['cache-control'],
        }),
      );
    }
  }
}

/** The response headers policy of the distribution's `/console/*` behaviour, as headers. */
function consoleBehaviourHeaders(
  config: Cfn,
  res: Assembly['template']['Resources'],
  ictx: IntrinsicContext,
): Record<string, string> {
  const behaviour = (config?.CacheBehaviors ?? []).find((b: Cfn) => b.PathPattern === '/console/*');
  if (!behaviour) return {};
  const policyId = behaviour.ResponseHeadersPolicyId?.Ref;
  const sec = res[policyId]?.Properties?.ResponseHeadersPolicyConfig?.SecurityHeadersConfig;
  if (!sec)
    throw new Error(`the console behaviour's response headers policy ${policyId} is not in the template`);
  const h: Record<string, string> = {};
  if (sec.ContentSecurityPolicy) {
    h['content-security-policy'] = resolveIntrinsic(sec.ContentSecurityPolicy.ContentSecurityPolicy, ictx);
  }
  if (sec.ContentTypeOptions) h['x-content-type-options'] = 'nosniff';
  if (sec.FrameOptions) h['x-frame-options'] = sec.FrameOptions.FrameOption;
  if (sec.ReferrerPolicy) h['referrer-policy'] = sec.ReferrerPolicy.ReferrerPolicy;
  if (sec.StrictTransportSecurity) {
    const t = sec.StrictTransportSecurity;
    h['strict-transport-security'] =
      `max-age=${t.AccessControlMaxAgeSec}${t.IncludeSubdomains ? '; includeSubDomains' : ''}`;
  }
  return h;
}
