/**
 * Builds the console (console/src, Preact + uPlot) into a static folder with esbuild:
 *   index.html            (no inline script or style: the CSP has no 'unsafe-inline')
 *   assets/app-<hash>.js  (one ES module), assets/app-<hash>.css
 * Synchronous, so the CDK app (lib/constructs/console.ts) and the local stack can both call it and
 * a clean clone needs no separate step. `npm run build:console` runs it and prints the sizes.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

export const CONSOLE_ROOT = path.resolve(__dirname);
export const DEFAULT_CONSOLE_OUT = path.resolve(__dirname, '..', '.cache', 'console');
/** The console's whole JavaScript, gzip-compressed, must stay under this (issue 12). */
export const CONSOLE_JS_GZIP_BUDGET = 40 * 1024;

export interface ConsoleBuild {
  outDir: string;
  /** paths relative to outDir */
  files: string[];
  js: { file: string; bytes: number; gzipBytes: number }[];
  jsGzipTotal: number;
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

/** What the bundle is made of: the console's sources, the core code it imports, the locked packages. */
function inputsHash(): string {
  const root = path.resolve(CONSOLE_ROOT, '..');
  const h = createHash('sha256');
  const files = [
    ...walk(CONSOLE_ROOT).map((f) => path.join(CONSOLE_ROOT, f)),
    ...walk(path.join(root, 'lambdas', 'core')).map((f) => path.join(root, 'lambdas', 'core', f)),
    path.join(root, 'package-lock.json'),
  ].sort();
  for (const f of files) h.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * Builds into `<parent>/<hash of the inputs>/` and returns that folder. A folder, once renamed into
 * place, is never rewritten or removed while this checkout's inputs name it, so processes that
 * build at the same time (jest workers synthesizing the stack, the local stack) cannot pull a
 * folder from under each other: the first rename wins, the others use its identical content.
 */
export function buildConsole(parent = DEFAULT_CONSOLE_OUT): ConsoleBuild {
  const outDir = path.join(parent, inputsHash());
  if (!existsSync(path.join(outDir, 'index.html'))) build(outDir);
  return summarise(outDir);
}

function build(outDir: string): void {
  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.join(tmp, 'assets'), { recursive: true });
  const result = buildSync({
    entryPoints: [path.join(CONSOLE_ROOT, 'src', 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: path.join(tmp, 'assets'),
    entryNames: 'app-[hash]',
    assetNames: '[name]-[hash]',
    // the libraries' licence texts go beside the bundle instead of inside it
    legalComments: 'external',
    metafile: true,
    logLevel: 'silent',
    write: true,
  });
  const outputs = Object.keys(result.metafile?.outputs ?? {}).map((o) => path.resolve(o));
  const rel = (p: string) => path.relative(tmp, p).split(path.sep).join('/');
  const js = outputs.find((o) => o.endsWith('.js'));
  const css = outputs.find((o) => o.endsWith('.css'));
  if (!js || !css) throw new Error('console build: esbuild produced no .js or .css output');
  const html = readFileSync(path.join(CONSOLE_ROOT, 'index.html'), 'utf8')
    .replace('%JS%', rel(js))
    .replace('%CSS%', rel(css));
  writeFileSync(path.join(tmp, 'index.html'), html);
  try {
    renameSync(tmp, outDir);
  } catch (e) {
    // another process built the same inputs first: keep its folder, drop ours
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(outDir, 'index.html'))) throw e;
  }
}

function summarise(outDir: string): ConsoleBuild {
  const files = walk(outDir);
  const jsFiles = files
    .filter((f) => f.endsWith('.js'))
    .map((file) => {
      const body = readFileSync(path.join(outDir, file));
      return { file, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
    });
  return { outDir, files, js: jsFiles, jsGzipTotal: jsFiles.reduce((a, f) => a + f.gzipBytes, 0) };
}

if (require.main === module) {
  const b = buildConsole(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  for (const f of b.js)
    console.log(`${f.file}  ${(f.bytes / 1024).toFixed(1)} KB, ${(f.gzipBytes / 1024).toFixed(1)} KB gzip`);
  console.log(
    `console built into ${path.relative(process.cwd(), b.outDir)}: JavaScript ${(b.jsGzipTotal / 1024).toFixed(1)} KB gzip (budget ${CONSOLE_JS_GZIP_BUDGET / 1024} KB)`,
  );
}
