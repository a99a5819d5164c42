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
  missingArm64,
  resolveSharpLayerSource,
  SHARP_ARM64_PACKAGES,
  type SharpInstaller,
  SharpLayer,
  SharpLayerError,
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
  const pkg = (
    dir: string,
    name: string,
    version: string,
    deps?: Record<string, string>,
    optionalDependencies?: Record<string, string>,
  ) => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(
      path.join(dir, name, 'package.json'),
      JSON.stringify({ name, version, dependencies: deps, optionalDependencies }),
    );
  };
  // what sharp 1.2.3 pins for its linux-arm64 binaries (real sharp pins them the same way)
  const PINS = { '@img/sharp-linux-arm64': '1.2.3', '@img/sharp-libvips-linux-arm64': '9.9.9' };
  const fakeSharp = (nm: string, version = '1.2.3') =>
    pkg(nm, 'sharp', version, { 'detect-libc': '^2', semver: '^7' }, PINS);
  const fakeBinaries = (nm: string) => {
    for (const [p, v] of Object.entries(PINS)) pkg(nm, p, v);
  };
  /** An installer that puts sharp's JavaScript into the layer but no binary (what an x64 `npm i` gives). */
  const jsOnlyInstaller: SharpInstaller = ({ prefix }) => fakeSharp(path.join(prefix, 'node_modules'));
  const fullInstaller: SharpInstaller = ({ prefix }) => {
    fakeSharp(path.join(prefix, 'node_modules'));
    fakeBinaries(path.join(prefix, 'node_modules'));
  };
  const synth = (installer: SharpInstaller, cacheDir = path.join(root, '.cache')) =>
    new SharpLayer(new Stack(new App(), 'L'), 'Sharp', { projectRoot: root, cacheDir, installer });
  const preparedModules = () => path.join(root, '.cache', 'sharp-layer', 'nodejs', 'node_modules');

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'avtrz-sharp-'));
    const nm = path.join(root, 'node_modules');
    fakeSharp(nm);
    pkg(nm, 'detect-libc', '2.0.0');
    pkg(path.join(nm, 'sharp', 'node_modules'), 'semver', '7.0.0'); // nested: travels with sharp
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('without arm64 binaries anywhere: nothing to use, the layer must be built', () => {
    expect(resolveSharpLayerSource(root)).toBeUndefined();
    expect(missingArm64(path.join(root, 'node_modules'), '1.2.3')).toEqual([
      '@img/sharp-linux-arm64@1.2.3',
      '@img/sharp-libvips-linux-arm64@9.9.9',
    ]);
  });

  it('uses node_modules when npm ci ran on linux-arm64', () => {
    fakeBinaries(path.join(root, 'node_modules'));
    expect(resolveSharpLayerSource(root)).toMatchObject({
      kind: 'node_modules',
      packages: ['sharp', 'detect-libc', ...SHARP_ARM64_PACKAGES],
    });
  });

  it('prefers the prepared layer, but only for the same sharp version and its pinned binaries', () => {
    fakeSharp(preparedModules(), '1.2.2');
    fakeBinaries(preparedModules());
    expect(resolveSharpLayerSource(root)).toBeUndefined();
    expect(missingArm64(preparedModules(), '1.2.3')).toEqual(['sharp@1.2.3 (found 1.2.2)']);
    fakeSharp(preparedModules());
    pkg(preparedModules(), '@img/sharp-libvips-linux-arm64', '9.9.8');
    expect(resolveSharpLayerSource(root)).toBeUndefined();
    expect(missingArm64(preparedModules(), '1.2.3')).toEqual([
      '@img/sharp-libvips-linux-arm64@9.9.9 (found 9.9.8)',
    ]);
    fakeBinaries(preparedModules());
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

  it('a build that yields no linux-arm64 binary fails the synth, saying what is missing and what to run', () => {
    const attempt = () => synth(jsOnlyInstaller);
    expect(attempt).toThrow(SharpLayerError);
    expect(attempt).toThrow(
      /lack its linux-arm64 binaries: installing sharp@1\.2\.3 .*produced no @img\/sharp-linux-arm64@1\.2\.3, @img\/sharp-libvips-linux-arm64@9\.9\.9.*Run `npm run sharp:layer`/,
    );
    // nothing half-built is left where the next synth would look
    expect(fs.existsSync(path.join(root, '.cache', 'sharp-layer'))).toBe(false);
    expect(fs.readdirSync(path.join(root, '.cache'))).toEqual([]);
  });

  it('no registry: the synth fails with the installer error and what to run', () => {
    const offline: SharpInstaller = () => {
      throw Object.assign(new Error('Command failed: npm install'), {
        stderr:
          'npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/sharp failed',
      });
    };
    expect(() => synth(offline)).toThrow(
      /needs sharp@1\.2\.3 with @img\/sharp-linux-arm64 and @img\/sharp-libvips-linux-arm64 .*installing them failed: npm error code ENOTFOUND .*Run `npm run sharp:layer`/,
    );
  });

  it('builds the layer on synth (replacing an outdated one) and reuses it offline afterwards', () => {
    fakeSharp(preparedModules(), '1.2.2'); // left by `npm run sharp:layer` before an upgrade
    const calls: { version: string; prefix: string }[] = [];
    const built = synth((o) => {
      calls.push(o);
      fullInstaller(o);
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].version).toBe('1.2.3');
    // installed into a temporary folder, not in place
    expect(path.dirname(calls[0].prefix)).not.toBe(path.join(root, '.cache', 'sharp-layer'));
    expect(built.source).toEqual({ kind: 'built', dir: path.join(root, '.cache', 'sharp-layer') });
    expect(missingArm64(preparedModules(), '1.2.3')).toEqual([]);
    expect(fs.readdirSync(path.join(root, '.cache'))).toEqual(['sharp-layer']);
    const again = synth(() => {
      throw new Error('no registry');
    });
    expect(again.source.kind).toBe('prepared');
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

describe('sharp layer built on synth from the npm registry', () => {
  const projectRoot = path.resolve(__dirname, '..', '..');
  let cacheDir: string;
  // under .cache, so npm's own cache and the disk are warm the second time
  beforeAll(() => {
    fs.mkdirSync(path.join(projectRoot, '.cache'), { recursive: true });
    cacheDir = fs.mkdtempSync(path.join(projectRoot, '.cache', 'test-sharp-build-'));
  });
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it("installs the project's sharp with both linux-arm64 packages; the addon is an aarch64 ELF", () => {
    const layer = new SharpLayer(new Stack(new App(), 'L'), 'Sharp', { projectRoot, cacheDir });
    expect(layer.source).toEqual({ kind: 'built', dir: path.join(cacheDir, 'sharp-layer') });
    const nm = path.join(cacheDir, 'sharp-layer', 'nodejs', 'node_modules');
    const read = (p: string) => JSON.parse(fs.readFileSync(path.join(p, 'package.json'), 'utf8'));
    const projectSharp = read(path.join(projectRoot, 'node_modules', 'sharp'));
    expect(read(path.join(nm, 'sharp')).version).toBe(projectSharp.version);
    for (const p of SHARP_ARM64_PACKAGES) {
      expect(read(path.join(nm, p)).version).toBe(projectSharp.optionalDependencies[p]);
    }
    // ELF header: e_machine 0xB7 = AArch64 (an x64 addon would be 0x3E)
    const lib = path.join(nm, '@img', 'sharp-linux-arm64', 'lib');
    const addons = fs.readdirSync(lib).filter((f) => f.endsWith('.node'));
    expect(addons).toHaveLength(1);
    const addon = fs.readFileSync(path.join(lib, addons[0]));
    expect(addon.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(addon.readUInt16LE(18)).toBe(0xb7);
    expect(missingArm64(nm, projectSharp.version)).toEqual([]);
  }, 300_000);
});
