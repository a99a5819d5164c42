/**
 * What each synthesized bundle asks of the runtime, read from the bundle itself: every module it
 * requires by name is a Node builtin, an AWS SDK package of the runtime's, or a package one of the
 * function's own layers carries; and no dynamic import() is left, since that would resolve
 * through the ESM loader, which ignores NODE_PATH (lib/constructs/function.ts).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { ensureSdkDir } from './support/lambda-node';
import { type Assembly, type FunctionSpec, functionsOf, synthesize } from './support/template';

let asm: Assembly;
let fns: FunctionSpec[];

beforeAll(async () => {
  asm = await synthesize({ stage: 'prod' });
  fns = functionsOf(asm);
}, 180_000);

afterAll(() => {
  if (asm) rmSync(asm.dir, { recursive: true, force: true });
});

const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

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
