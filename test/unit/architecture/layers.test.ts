/**
 * The layering of lambdas/ (docs/architecture.md), checked on every import: handlers → app → core,
 * store and runtime implement app's ports, nothing in lambdas/ reaches lib/, bin/, bench/ or test/.
 * Imports are read with TypeScript's own pre-processor (static, dynamic and type-only imports alike).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const LAMBDAS = path.join(ROOT, 'lambdas');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** `core`, `app`, `store`, `runtime`, `http`, `routes`, or `handler:<folder>` */
function layerOf(file: string): string {
  const rel = path.relative(LAMBDAS, file);
  if (rel.startsWith('..')) return `outside:${path.relative(ROOT, file).split(path.sep)[0]}`;
  const top = rel.split(path.sep)[0];
  if (top === 'routes.ts' || top === 'routes') return 'routes';
  return ['core', 'app', 'store', 'runtime', 'http'].includes(top) ? top : `handler:${top}`;
}

/** What each layer may import from inside the repository (besides itself). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  app: ['core'],
  store: ['core', 'app'],
  runtime: ['core', 'app', 'store'],
  http: ['core', 'app'],
  routes: [],
  handler: ['core', 'app', 'http', 'runtime', 'routes'],
};
/** Packages that are AWS: never in core/ or app/. */
const AWS_SDK = /^@aws-sdk\/|^aws-lambda$/;

interface Edge {
  from: string;
  to: string;
  spec: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of files(LAMBDAS)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      const spec = ref.fileName;
      const to = spec.startsWith('.') ? layerOf(path.resolve(path.dirname(file), spec)) : `package:${spec}`;
      out.push({ from: path.relative(ROOT, file), to, spec });
    }
  }
  return out;
}

const all = edges();

function violations(pred: (e: Edge, fromLayer: string) => boolean): string[] {
  return all
    .filter((e) => pred(e, layerOf(path.join(ROOT, e.from))))
    .map((e) => `${e.from} imports ${e.spec}`);
}

test('the import graph was read (the rules below are not vacuous)', () => {
  expect(all.length).toBeGreaterThan(100);
  expect(all.some((e) => e.to === 'core')).toBe(true);
});

test('each layer imports only the layers below it', () => {
  const bad = violations((e, from) => {
    if (e.to.startsWith('package:') || e.to.startsWith('outside:')) return false;
    const kind = from.startsWith('handler:') ? 'handler' : from;
    if (e.to === from) return false;
    const target = e.to.startsWith('handler:') ? 'handler' : e.to;
    // a handler folder may use its own files (resolver/resolve.ts, image.ts, …), never another's
    if (kind === 'handler' && target === 'handler') return e.to !== from;
    return !ALLOWED[kind].includes(target);
  });
  expect(bad).toEqual([]);
});

test('nothing in lambdas/ imports lib/, bin/, bench/ or test/', () => {
  expect(violations((e) => e.to.startsWith('outside:'))).toEqual([]);
});

test('core/ and app/ import no AWS SDK', () => {
  expect(
    violations(
      (e, from) => (from === 'core' || from === 'app') && AWS_SDK.test(e.to.replace('package:', '')),
    ),
  ).toEqual([]);
});

/**
 * zod/mini is the one exception: the request/response schemas (core/schemas/) are pure data and
 * checks, and the OpenAPI document and the MCP tools are generated from them.
 */
const CORE_PACKAGES = ['zod/mini'];

test('core/ imports no package but node: built-ins and zod/mini', () => {
  expect(
    violations(
      (e, from) =>
        from === 'core' &&
        e.to.startsWith('package:') &&
        !e.spec.startsWith('node:') &&
        !CORE_PACKAGES.includes(e.spec),
    ),
  ).toEqual([]);
});

test('no production module exports a test hook', () => {
  const hooks = /export (?:async )?function (set|reset|clear)[A-Z]\w*/;
  const found = files(LAMBDAS)
    .filter((f) => hooks.test(readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f));
  expect(found).toEqual([]);
});
