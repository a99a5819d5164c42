/**
 * The one function construct and the sharp layer, on their own (bundling skipped with CDK's
 * `aws:cdk:bundling-stacks` context: these tests read only the template; test/infra/stack.test.ts
 * bundles for real).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AvtrzFunction } from '../../lib/constructs/function';
import {
  resolveSharpLayerSource,
  SHARP_ARM64_PACKAGES,
  stageSharpLayer,
} from '../../lib/constructs/sharp-layer';

function scope() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'T', { env: { account: '123456789012', region: 'eu-west-1' } });
  return { app, stack };
}
const props = { handler: 'usage', logRetention: logs.RetentionDays.ONE_WEEK };

describe('AvtrzFunction environment', () => {
  it('merges defaults, own variables and bind* variables', () => {
    const { stack } = scope();
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    const f = new AvtrzFunction(stack, 'F', {
      ...props,
      defaults: { AVTRZ_STAGE: 'dev', AVTRZ_CDN_URL: 'https://cdn.example' },
      environment: { AVTRZ_REFRESH_DAYS: '7' },
    });
    f.bindTable(table, 'read', []);
    const vars = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const env = Object.values(vars)[0].Properties.Environment.Variables;
    expect(env).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      AVTRZ_STAGE: 'dev',
      AVTRZ_CDN_URL: 'https://cdn.example',
      AVTRZ_REFRESH_DAYS: '7',
      AVTRZ_TABLE: { Ref: expect.stringMatching(/^Table/) },
    });
    expect(f.environment.AVTRZ_REFRESH_DAYS).toBe('7');
  });

  it('refuses to overwrite a default with a different value', () => {
    const { stack } = scope();
    expect(
      () =>
        new AvtrzFunction(stack, 'F', {
          ...props,
          defaults: { AVTRZ_STAGE: 'prod' },
          environment: { AVTRZ_STAGE: 'dev' },
        }),
    ).toThrow('T/F: environment variable AVTRZ_STAGE is already set; refusing to overwrite it');
  });

  it('refuses defaults that would replace a base variable', () => {
    const { stack } = scope();
    expect(
      () => new AvtrzFunction(stack, 'F', { ...props, defaults: { NODE_OPTIONS: '--inspect' } }),
    ).toThrow(/NODE_OPTIONS is already set; refusing to overwrite it/);
  });

  it('refuses a later setEnv that would change a value, accepts an identical one', () => {
    const { stack } = scope();
    const f = new AvtrzFunction(stack, 'F', { ...props, defaults: { AVTRZ_STAGE: 'dev' } });
    expect(() => f.setEnv('AVTRZ_STAGE', 'dev')).not.toThrow();
    expect(() => f.setEnv('AVTRZ_STAGE', 'prod')).toThrow(/refusing to overwrite/);
    expect(() => f.setEnv('NODE_OPTIONS', '--inspect')).toThrow(/NODE_OPTIONS is already set/);
  });
});

describe('AvtrzFunction grants', () => {
  it('bucket read: GetObject under a/ only, never o/ and never PutObject', () => {
    const { stack } = scope();
    const bucket = new s3.Bucket(stack, 'Bucket');
    new AvtrzFunction(stack, 'F', props).bindBucket(bucket, 'read');
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const stmts = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bucketId = Object.keys(Template.fromStack(stack).findResources('AWS::S3::Bucket'))[0];
    expect(stmts).toContainEqual({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/a/*']] },
    });
    const text = JSON.stringify(stmts);
    expect(text).not.toContain('/o/*');
    expect(text).not.toContain('s3:PutObject');
  });

  it('enables X-Ray only when asked, with the wildcard it needs acknowledged', () => {
    const { app, stack } = scope();
    new AvtrzFunction(stack, 'Off', props);
    new AvtrzFunction(stack, 'On', { ...props, tracing: true });
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const tracing = Object.entries(fns).map(([id, r]) => [id.slice(0, 3), r.Properties.TracingConfig?.Mode]);
    expect(tracing.sort()).toEqual([
      ['Off', undefined],
      ['OnF', 'Active'],
    ]);
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
  });

  it('gives cdk-nag nothing to report on its own (runtime pin acknowledged with a reason)', () => {
    const { app, stack } = scope();
    new AvtrzFunction(stack, 'F', props);
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((m) => Object.keys(m.data as object)[0]);
    expect(acks).toEqual([expect.stringMatching(/::AwsSolutions-L1$/)]);
    // ...and the acknowledgement is what keeps it clean: a bare nodejs22.x function is flagged
    const other = scope();
    new lambda.Function(other.stack, 'Bare', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    const rules = new AwsSolutionsChecks(other.app)
      .validateScope(other.app)
      .violations.map((v) => v.ruleName);
    expect(rules).toContain('AwsSolutions-L1');
  });
});

describe('sharp layer source', () => {
  let root: string;
  const pkg = (dir: string, name: string, version: string, deps?: Record<string, string>) => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(
      path.join(dir, name, 'package.json'),
      JSON.stringify({ name, version, dependencies: deps }),
    );
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'avtrz-sharp-'));
    const nm = path.join(root, 'node_modules');
    pkg(nm, 'sharp', '1.2.3', { 'detect-libc': '^2', semver: '^7' });
    pkg(nm, 'detect-libc', '2.0.0');
    pkg(path.join(nm, 'sharp', 'node_modules'), 'semver', '7.0.0'); // nested: travels with sharp
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('without arm64 binaries: JavaScript only, with the reason', () => {
    const src = resolveSharpLayerSource(root);
    expect(src).toMatchObject({
      kind: 'js-only',
      packages: ['sharp', 'detect-libc'],
      reason: 'this machine installed the binaries of another platform',
    });
  });

  it('uses node_modules when npm ci ran on linux-arm64', () => {
    for (const p of SHARP_ARM64_PACKAGES) pkg(path.join(root, 'node_modules'), p, '1.2.3');
    expect(resolveSharpLayerSource(root)).toMatchObject({
      kind: 'node_modules',
      packages: ['sharp', 'detect-libc', ...SHARP_ARM64_PACKAGES],
    });
  });

  it('prefers the prepared layer, but only for the same sharp version', () => {
    const prepared = path.join(root, '.cache', 'sharp-layer', 'nodejs', 'node_modules');
    pkg(prepared, 'sharp', '1.2.2');
    for (const p of SHARP_ARM64_PACKAGES) pkg(prepared, p, '1.2.2');
    expect(resolveSharpLayerSource(root)).toMatchObject({
      kind: 'js-only',
      reason: '.cache/sharp-layer holds sharp 1.2.2 but the project uses 1.2.3',
    });
    pkg(prepared, 'sharp', '1.2.3');
    expect(resolveSharpLayerSource(root)).toEqual({
      kind: 'prepared',
      dir: path.join(root, '.cache', 'sharp-layer'),
    });
  });

  it('fails clearly when sharp is not installed', () => {
    fs.rmSync(path.join(root, 'node_modules', 'sharp'), { recursive: true });
    expect(() => resolveSharpLayerSource(root)).toThrow(
      /sharp is not installed in .*node_modules: run npm ci first/,
    );
  });

  it('stages the Lambda layer layout, keyed by package versions', () => {
    const nm = path.join(root, 'node_modules');
    const cache = path.join(root, 'staged');
    const a = stageSharpLayer(nm, ['sharp', 'detect-libc'], cache);
    expect(
      fs.existsSync(
        path.join(a, 'nodejs', 'node_modules', 'sharp', 'node_modules', 'semver', 'package.json'),
      ),
    ).toBe(true);
    expect(fs.existsSync(path.join(a, 'nodejs', 'node_modules', 'detect-libc', 'package.json'))).toBe(true);
    expect(stageSharpLayer(nm, ['sharp', 'detect-libc'], cache)).toBe(a); // reused
    pkg(nm, 'detect-libc', '2.0.1');
    const b = stageSharpLayer(nm, ['sharp', 'detect-libc'], cache);
    expect(b).not.toBe(a);
    expect(fs.readdirSync(cache).filter((d) => !d.startsWith('.'))).toHaveLength(2);
  });
});
