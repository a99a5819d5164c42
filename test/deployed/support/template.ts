/**
 * Read a synthesized cloud assembly the way CloudFormation and Lambda will: the functions (their
 * bundle folder, handler, environment, layers, timeout, memory, architecture), the HTTP API's
 * routes with their integration and authorization type, and the table's key schema. Everything
 * comes from the template and the asset manifest alone, never from lambdas/routes.ts, so a route or
 * a variable the stack forgot to wire shows up here as it would after `cdk deploy`.
 *
 * `synthesize()` runs the real `cdk synth` (the app in cdk.json, through the CDK CLI) into a
 * temporary folder, with the context a test gives.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './lambda-node';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation values are open-ended JSON
export type Cfn = any;

export interface Assembly {
  dir: string;
  stackName: string;
  template: { Resources: Record<string, { Type: string; Properties?: Cfn; Metadata?: Cfn }>; Outputs?: Cfn };
}

/** `cdk synth -c stage=<stage> [-c k=v …] -o <tmp>`; returns the assembly of the one stack. */
export async function synthesize(context: Record<string, string>): Promise<Assembly> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-deployed-'));
  const args = ['cdk', 'synth', '--quiet', '-o', dir];
  for (const [k, v] of Object.entries(context)) args.push('-c', `${k}=${v}`);
  await promisify(execFile)('npx', args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 });
  return readAssembly(dir);
}

export function readAssembly(dir: string): Assembly {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`expected one stack in ${dir}, found ${stacks.length}`);
  const [stackName, art] = stacks[0];
  const template = JSON.parse(readFileSync(path.join(dir, art.properties?.templateFile as string), 'utf8'));
  return { dir, stackName, template };
}

export interface FunctionSpec {
  logicalId: string;
  /** the bundle: what Lambda unpacks into /var/task */
  taskRoot: string;
  handler: string;
  runtime: string;
  architecture: 'arm64' | 'x86_64';
  memoryMb: number;
  timeoutSeconds: number;
  /** Environment.Variables as written in the template (intrinsics unresolved) */
  environment: Record<string, Cfn>;
  /** each layer's folder: what Lambda unpacks into /opt */
  layers: string[];
  logFormat?: string;
  reservedConcurrency?: number;
}

export interface RouteSpec {
  routeKey: string;
  authorizationType: string;
  /** logical id of the function behind the route's integration */
  functionId: string;
  payloadFormatVersion: string;
  /** a JWT route: its authorizer's JwtConfiguration (intrinsics unresolved) and the route's scopes */
  jwt?: { issuer: Cfn; audience: Cfn[]; scopes: string[] };
}

/** Where the asset of a resource's property was staged in the assembly (aws:asset:path). */
function assetDir(asm: Assembly, logicalId: string): string {
  const meta = asm.template.Resources[logicalId].Metadata ?? {};
  const rel = meta['aws:asset:path'];
  if (!rel) throw new Error(`${logicalId} has no aws:asset:path metadata`);
  const dir = path.join(asm.dir, rel);
  if (!existsSync(dir)) throw new Error(`${logicalId}: asset ${rel} is missing from ${asm.dir}`);
  return dir;
}

function refOf(v: Cfn): string {
  if (v && typeof v === 'object' && typeof v.Ref === 'string') return v.Ref;
  throw new Error(`expected a Ref, got ${JSON.stringify(v)}`);
}

/**
 * The function behind `Custom::CDKBucketDeployment` (aws-cdk-lib/aws-s3-deployment) is not run:
 * it is CDK's own Python handler (python3.x + the AWS CLI layer), which only copies asset zips into
 * a bucket while CloudFormation deploys and is never on a request path. This tier does its work
 * instead (bucketDeploymentsOf + deployment.ts applyBucketDeployment: the same files, markers
 * resolved, the same metadata), and runs every other function.
 */
export const BUCKET_DEPLOYMENT_HANDLER_NOT_RUN =
  "CDK's BucketDeployment handler (Python, deploy time only): the tier copies its sources itself";

export interface BucketDeploymentSpec {
  logicalId: string;
  /** the Lambda function behind its ServiceToken */
  handlerId: string;
  /** each source's staged folder, with its deploy-time markers (marker -> intrinsic) */
  sources: { dir: string; markers: Record<string, Cfn> }[];
  destinationBucket: Cfn;
  prefix: string;
  /** S3 system metadata for every copied object, e.g. `cache-control` */
  systemMetadata: Record<string, string>;
  prune: boolean;
}

export function bucketDeploymentsOf(asm: Assembly): BucketDeploymentSpec[] {
  const out: BucketDeploymentSpec[] = [];
  for (const [id, r] of Object.entries(asm.template.Resources)) {
    if (r.Type !== 'Custom::CDKBucketDeployment') continue;
    const p = r.Properties;
    const handlerId = p.ServiceToken?.['Fn::GetAtt']?.[0];
    if (typeof handlerId !== 'string') throw new Error(`${id}: ServiceToken is not a function's Arn`);
    if (p.Extract === false) throw new Error(`${id}: Extract: false is not modelled by the deployed tier`);
    const sources = (p.SourceObjectKeys as string[]).map((key, i) => {
      const dir = path.join(asm.dir, `asset.${key.replace(/\.zip$/, '')}`);
      if (!existsSync(dir)) throw new Error(`${id}: source ${key} is not staged in ${asm.dir}`);
      return { dir, markers: (p.SourceMarkers?.[i] ?? {}) as Record<string, Cfn> };
    });
    out.push({
      logicalId: id,
      handlerId,
      sources,
      destinationBucket: p.DestinationBucketName,
      prefix: p.DestinationBucketKeyPrefix ?? '',
      systemMetadata: p.SystemMetadata ?? {},
      prune: p.Prune !== false,
    });
  }
  return out;
}

export function functionsOf(asm: Assembly): FunctionSpec[] {
  const out: FunctionSpec[] = [];
  const deploymentHandlers = new Set(bucketDeploymentsOf(asm).map((d) => d.handlerId));
  for (const [id, r] of Object.entries(asm.template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    // BUCKET_DEPLOYMENT_HANDLER_NOT_RUN says why
    if (deploymentHandlers.has(id)) continue;
    const p = r.Properties;
    out.push({
      logicalId: id,
      taskRoot: assetDir(asm, id),
      handler: p.Handler,
      runtime: p.Runtime,
      architecture: (p.Architectures?.[0] ?? 'x86_64') as FunctionSpec['architecture'],
      memoryMb: p.MemorySize ?? 128,
      timeoutSeconds: p.Timeout ?? 3,
      environment: p.Environment?.Variables ?? {},
      layers: (p.Layers ?? []).map((l: Cfn) => assetDir(asm, refOf(l))),
      logFormat: p.LoggingConfig?.LogFormat,
      reservedConcurrency: p.ReservedConcurrentExecutions,
    });
  }
  return out;
}

export function routesOf(asm: Assembly): RouteSpec[] {
  const res = asm.template.Resources;
  const out: RouteSpec[] = [];
  for (const r of Object.values(res)) {
    if (r.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const p = r.Properties;
    // Target: "integrations/<Ref integration>"
    const parts: Cfn[] = p.Target?.['Fn::Join']?.[1] ?? [];
    const integrationId = refOf(parts.find((x: Cfn) => typeof x === 'object'));
    const integ = res[integrationId];
    if (integ?.Type !== 'AWS::ApiGatewayV2::Integration') throw new Error(`${p.RouteKey}: no integration`);
    if (integ.Properties.IntegrationType !== 'AWS_PROXY') {
      throw new Error(`${p.RouteKey}: integration type ${integ.Properties.IntegrationType} is not emulated`);
    }
    const uri = integ.Properties.IntegrationUri;
    const functionId = uri?.['Fn::GetAtt']?.[0];
    if (res[functionId]?.Type !== 'AWS::Lambda::Function')
      throw new Error(`${p.RouteKey}: not a Lambda integration`);
    const authorizationType = p.AuthorizationType ?? 'NONE';
    let jwt: RouteSpec['jwt'];
    if (authorizationType === 'JWT') {
      const auth = res[refOf(p.AuthorizerId)];
      const cfg = auth?.Properties?.JwtConfiguration;
      if (auth?.Type !== 'AWS::ApiGatewayV2::Authorizer' || auth.Properties.AuthorizerType !== 'JWT' || !cfg)
        throw new Error(`${p.RouteKey}: its authorizer is not a JWT authorizer`);
      if (JSON.stringify(auth.Properties.IdentitySource) !== '["$request.header.Authorization"]')
        throw new Error(`${p.RouteKey}: only the Authorization header is emulated as identity source`);
      jwt = { issuer: cfg.Issuer, audience: cfg.Audience ?? [], scopes: p.AuthorizationScopes ?? [] };
    }
    out.push({
      routeKey: p.RouteKey,
      authorizationType,
      functionId,
      payloadFormatVersion: integ.Properties.PayloadFormatVersion,
      jwt,
    });
  }
  return out;
}

/** The one DynamoDB table's CreateTable input, from its template properties. */
export function tableOf(asm: Assembly): { logicalId: string; props: Cfn } {
  const tables = Object.entries(asm.template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table');
  if (tables.length !== 1) throw new Error(`expected one table, found ${tables.length}`);
  return { logicalId: tables[0][0], props: tables[0][1].Properties };
}

/** Async invoke settings (EventInvokeConfig) per function logical id. */
export function eventInvokeConfigs(asm: Assembly): Map<string, { maxRetries: number; onFailure?: Cfn }> {
  const out = new Map<string, { maxRetries: number; onFailure?: Cfn }>();
  for (const r of Object.values(asm.template.Resources)) {
    if (r.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
    const p = r.Properties;
    out.set(refOf(p.FunctionName), {
      maxRetries: p.MaximumRetryAttempts ?? 2,
      onFailure: p.DestinationConfig?.OnFailure?.Destination,
    });
  }
  return out;
}
