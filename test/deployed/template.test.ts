/**
 * The synthesized template, read without running it:
 *  - what each bundle asks of the runtime, read from the bundle itself: every module it requires
 *    by name is a Node builtin, an AWS SDK package of the runtime's, or a package one of the
 *    function's own layers carries; and no dynamic import() is left, since that would resolve
 *    through the ESM loader, which ignores NODE_PATH (lib/constructs/function.ts);
 *  - the local stack's handler environment against it: every difference is the one documented
 *    list (lib/local/environment.ts), and that list holds nothing stale.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { LOCAL_ENVIRONMENT_DIFFERENCES } from '../../lib/local/environment';
import { type LocalStack, startLocalStack } from '../../lib/local/stack';
import { ensureSdkDir } from './support/lambda-node';
import {
  type Assembly,
  bucketDeploymentsOf,
  type FunctionSpec,
  functionsOf,
  synthesize,
} from './support/template';

const UPSTREAM = 'http://127.0.0.1:9/photo?profile={profile}';
let asm: Assembly;
let fns: FunctionSpec[];
let stack: LocalStack;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-local-env-'));

beforeAll(async () => {
  [asm, stack] = await Promise.all([
    synthesize({ stage: 'prod', upstreamUrl: UPSTREAM }),
    startLocalStack({ dataDir, upstreamUrl: UPSTREAM, onError: () => undefined }),
  ]);
  fns = functionsOf(asm);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (asm) rmSync(asm.dir, { recursive: true, force: true });
});

describe('the bundles', () => {
  const packageOf = (spec: string) =>
    spec
      .split('/')
      .slice(0, spec.startsWith('@') ? 2 : 1)
      .join('/');

  it("the only function not run is CDK's BucketDeployment handler (deploy time, Python)", () => {
    const run = new Set(fns.map((f) => f.logicalId));
    const notRun = Object.entries(asm.template.Resources)
      .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !run.has(id))
      .map(([id, r]) => ({ id, runtime: r.Properties.Runtime as string }));
    const handlers = new Set(bucketDeploymentsOf(asm).map((b) => b.handlerId));
    expect(notRun.length).toBe(handlers.size);
    for (const f of notRun) {
      expect(handlers.has(f.id)).toBe(true);
      expect(f.runtime).toMatch(/^python3\.\d+$/);
    }
  });

  it('every function is a CommonJS bundle on nodejs22.x with its handler file', () => {
    expect(fns.length).toBeGreaterThan(10);
    for (const f of fns) {
      expect(f.runtime).toBe('nodejs22.x');
      const file = path.join(f.taskRoot, `${f.handler.split('.')[0]}.js`);
      expect(existsSync(file)).toBe(true);
    }
  });

  it('no bundle keeps a dynamic import()', () => {
    const offenders = fns.filter((f) =>
      /\bimport\(/.test(readFileSync(path.join(f.taskRoot, 'index.js'), 'utf8')),
    );
    expect(offenders.map((f) => f.logicalId)).toEqual([]);
  });

  it('every module a bundle requires by name is provided: builtin, runtime SDK or its own layer', () => {
    const sdk = ensureSdkDir();
    const missing: string[] = [];
    for (const f of fns) {
      const code = readFileSync(path.join(f.taskRoot, 'index.js'), 'utf8');
      const names = new Set([...code.matchAll(/\brequire\("([^"./][^"]*)"\)/g)].map((m) => m[1]));
      for (const name of names) {
        const bare = name.replace(/^node:/, '');
        if (name.startsWith('node:') || builtinModules.includes(bare)) continue;
        const pkg = packageOf(name);
        const fromSdk = pkg.startsWith('@aws-sdk/') && existsSync(path.join(sdk, pkg, 'package.json'));
        const fromLayer = f.layers.some((l) =>
          existsSync(path.join(l, 'nodejs', 'node_modules', pkg, 'package.json')),
        );
        if (!fromSdk && !fromLayer) missing.push(`${f.logicalId}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("the local stack's environment", () => {
  const byName = (only: 'local' | 'deployed') =>
    LOCAL_ENVIRONMENT_DIFFERENCES.filter((d) => d.only === only)
      .map((d) => d.name)
      .sort();

  it('every variable set on one side only is in the documented list, and nothing else is', () => {
    const deployed = new Set(functionsOf(asm).flatMap((f) => Object.keys(f.environment)));
    const local = new Set(Object.keys(stack.env));
    expect([...local].filter((k) => !deployed.has(k)).sort()).toEqual(byName('local'));
    expect([...deployed].filter((k) => !local.has(k)).sort()).toEqual(byName('deployed'));
  });

  it('each difference says why', () => {
    for (const d of LOCAL_ENVIRONMENT_DIFFERENCES) expect(d.why.length).toBeGreaterThan(20);
  });

  it('values both sides set as plain settings are the same', () => {
    // the upstream template is a setting, not a place: it must reach the handlers unchanged
    for (const f of functionsOf(asm)) {
      if ('AVTRZ_UPSTREAM_URL' in f.environment) expect(f.environment.AVTRZ_UPSTREAM_URL).toBe(UPSTREAM);
    }
    expect(stack.env.AVTRZ_UPSTREAM_URL).toBe(UPSTREAM);
  });
});
