/**
 * What the deployed-shape tier runs a bundle on, as the nodejs22.x runtime provides it:
 *
 * - Node 22 itself (`ensureNode(arch)`): the official build, from the npm registry's
 *   `node-linux-<arch>` package at a pinned version and integrity, unpacked once into
 *   `.cache/lambda-node/`. Lambda's image is Node 22 too; the patch level is AWS's choice and
 *   moves, ours moves when this pin does.
 * - the AWS SDK (`ensureSdkDir()`): the runtime puts SDK v3 in /var/runtime/node_modules and
 *   nothing else. The bundles leave `@aws-sdk/*` out (lib/constructs/function.ts), so they must
 *   find it there and only there: this folder holds the SDK packages the project depends on and
 *   the packages they need (the closure of their `dependencies`), copied out of node_modules,
 *   so a bundle that needs anything else (middy, sharp, a forgotten external) fails to load
 *   here as it would in AWS.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const CACHE = path.join(ROOT, '.cache');

export type Arch = 'x64' | 'arm64';

/**
 * `dir` built once by `fill(tmp)` into a temporary sibling and renamed into place, so parallel
 * test workers never see half a folder; a worker that loses the race keeps the winner's copy
 * (the same bytes). Returns `dir`.
 */
export function buildOnce(dir: string, fill: (tmp: string) => void): string {
  if (existsSync(dir)) return dir;
  mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = mkdtempSync(`${dir}.tmp-`);
  chmodSync(tmp, 0o755); // mkdtemp makes it 0700
  try {
    fill(tmp);
    renameSync(tmp, dir);
  } catch (e) {
    if (!existsSync(dir)) throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** Node 22 as pinned: version and the registry's sha512 integrity of each tarball. */
export const LAMBDA_NODE = {
  version: '22.23.5',
  integrity: {
    x64: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
    arm64: 'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==',
  },
} as const;

/** Path of the pinned Node 22 binary for `arch`, downloading it from the npm registry once. */
export function ensureNode(arch: Arch): string {
  const dir = path.join(CACHE, 'lambda-node', `${arch}-${LAMBDA_NODE.version}`);
  buildOnce(dir, (tmp) => {
    const spec = `node-linux-${arch}@${LAMBDA_NODE.version}`;
    const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', tmp], {
      cwd: tmp,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ filename }] = JSON.parse(out) as { filename: string }[];
    const tarball = path.join(tmp, filename);
    const sum = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (sum !== LAMBDA_NODE.integrity[arch]) {
      throw new Error(`${spec}: integrity ${sum} is not the pinned ${LAMBDA_NODE.integrity[arch]}`);
    }
    execFileSync('tar', ['xzf', tarball, '-C', tmp, '--strip-components=1', 'package/bin/node']);
    rmSync(tarball);
  });
  return path.join(dir, 'bin', 'node');
}

/** The SDK packages the functions import (the bundles' externals resolve to these). */
function sdkRoots(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.keys(pkg.dependencies).filter(
    (d) => d.startsWith('@aws-sdk/') && d !== '@aws-sdk/credential-providers',
  );
}

/** Where Node would find `dep` when required from package folder `from` (no exports maps involved). */
function locate(dep: string, from: string): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', dep);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`${dep} (needed by ${from}) is not installed: run npm ci`);
    dir = up;
  }
}

/**
 * A folder `<dir>/node_modules` holding only the AWS SDK and what it needs, laid out as in the
 * project's node_modules. Returns that node_modules path (the runtime's /var/runtime/node_modules).
 */
export function ensureSdkDir(): string {
  const lock = readFileSync(path.join(ROOT, 'package-lock.json'));
  const key = createHash('sha256').update(lock).digest('hex').slice(0, 12);
  const dir = path.join(CACHE, 'lambda-sdk', key);
  const modules = path.join(dir, 'node_modules');
  if (existsSync(modules)) return modules;
  const seen = new Set<string>();
  const queue = sdkRoots().map((d) => locate(d, ROOT));
  while (queue.length) {
    const pkgDir = queue.pop() as string;
    if (seen.has(pkgDir)) continue;
    seen.add(pkgDir);
    const pj = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pj.dependencies ?? {})) queue.push(locate(dep, pkgDir));
  }
  const rootModules = path.join(ROOT, 'node_modules');
  buildOnce(dir, (tmp) => {
    for (const pkgDir of seen) {
      const rel = path.relative(rootModules, pkgDir);
      // nested copies (pkg/node_modules/dep) travel with their parent's folder as well
      cpSync(pkgDir, path.join(tmp, 'node_modules', rel), { recursive: true, dereference: true });
    }
  });
  return modules;
}

/** `qemu-aarch64-static` (Debian's qemu-user-static) when this machine has it. */
export function qemuAarch64(): string | undefined {
  for (const p of ['/usr/bin/qemu-aarch64-static', '/usr/bin/qemu-aarch64']) if (existsSync(p)) return p;
  return undefined;
}
