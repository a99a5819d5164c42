/**
 * A Lambda layer carrying `sharp` and its linux-arm64 native binaries for the resolver.
 *
 * Why a layer and not `bundling.nodeModules: ['sharp']`: nodeModules makes NodejsFunction run
 * `npm install` inside the bundle directory at synth time and installs the binaries of the
 * machine that synthesises (x64 here), not of the Lambda (arm64). Instead the resolver's bundle
 * marks `sharp` external and this layer puts it at /opt/nodejs/node_modules, where Node's
 * resolution finds it.
 *
 * Where the layer's files come from, first match wins:
 *  1. `<cacheDir>/sharp-layer/nodejs/node_modules` (cacheDir defaults to `.cache`) when it holds
 *     the project's sharp version and its linux-arm64 packages (`npm run sharp:layer` prepares
 *     it; so does 3.);
 *  2. the project's own node_modules when `npm ci` ran on a linux-arm64 machine (it then has
 *     @img/sharp-linux-arm64 and @img/sharp-libvips-linux-arm64);
 *  3. otherwise synth builds 1. itself: npm installs sharp at the project's exact version for
 *     linux/arm64/glibc into a temporary folder, the result is checked, then renamed into place,
 *     so concurrent synths (and tests) never see half a layer. This needs the npm registry once;
 *     later synths reuse the folder offline.
 * A layer without the binaries is never synthesised: the resolver could not decode a photo and
 * a deploy would store none. When 3. fails (no registry, or npm installed something else) synth
 * fails with what is missing and what to run.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** The linux-arm64 binaries sharp loads on Lambda. */
export const SHARP_ARM64_PACKAGES = ['@img/sharp-linux-arm64', '@img/sharp-libvips-linux-arm64'] as const;

export type SharpLayerSource =
  | { kind: 'prepared'; dir: string }
  | { kind: 'built'; dir: string }
  | { kind: 'node_modules'; nodeModules: string; packages: string[] };

/**
 * Installs sharp@version for linux/arm64/glibc so that `<prefix>/node_modules` holds it and its
 * dependencies. Throws when it cannot.
 */
export type SharpInstaller = (opts: { version: string; prefix: string }) => void;

/** The installer `npm run sharp:layer` uses, run from synth. */
export const npmSharpInstaller: SharpInstaller = ({ version, prefix }) => {
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--os=linux',
      '--cpu=arm64',
      '--libc=glibc',
      `sharp@${version}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 },
  );
};

export class SharpLayerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SharpLayerError';
  }
}

type PkgJson = {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

const pkgJson = (nodeModules: string, pkg: string): PkgJson | undefined => {
  const file = path.join(nodeModules, pkg, 'package.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
};

/**
 * sharp plus its runtime dependencies that npm hoisted next to it (a dependency nested in
 * sharp/node_modules travels with the sharp folder).
 */
export function sharpJsPackages(nodeModules: string): string[] {
  const sharp = pkgJson(nodeModules, 'sharp');
  if (!sharp) throw new Error(`sharp is not installed in ${nodeModules}: run npm ci first`);
  const deps = Object.keys(sharp.dependencies ?? {}).filter(
    (d) => !fs.existsSync(path.join(nodeModules, 'sharp', 'node_modules', d, 'package.json')),
  );
  for (const d of deps) {
    if (!pkgJson(nodeModules, d))
      throw new Error(`sharp's dependency ${d} is missing from ${nodeModules}: run npm ci`);
  }
  return ['sharp', ...deps];
}

/**
 * What a node_modules lacks for sharp `version` on linux-arm64: sharp itself at that version,
 * and each binary package at the version that sharp release pins (its optionalDependencies;
 * any version when it pins none). Empty when complete.
 */
export function missingArm64(nodeModules: string, version: string): string[] {
  const sharp = pkgJson(nodeModules, 'sharp');
  if (sharp?.version !== version) {
    return [sharp ? `sharp@${version} (found ${sharp.version})` : `sharp@${version}`];
  }
  const missing: string[] = [];
  for (const p of SHARP_ARM64_PACKAGES) {
    const want = sharp.optionalDependencies?.[p];
    const found = pkgJson(nodeModules, p)?.version;
    if (!found || (want && found !== want)) {
      missing.push(`${p}${want ? `@${want}` : ''}${found ? ` (found ${found})` : ''}`);
    }
  }
  return missing;
}

/** The project's sharp version (what the layer must match). */
function projectSharpVersion(nodeModules: string): string {
  sharpJsPackages(nodeModules); // fails clearly when npm ci did not run
  return (pkgJson(nodeModules, 'sharp') as PkgJson).version;
}

/** Sources 1. and 2. (pure apart from reading the file system); undefined = the layer must be built. */
export function resolveSharpLayerSource(
  projectRoot: string,
  cacheDir = path.join(projectRoot, '.cache'),
): SharpLayerSource | undefined {
  const nodeModules = path.join(projectRoot, 'node_modules');
  const version = projectSharpVersion(nodeModules);
  const prepared = path.join(cacheDir, 'sharp-layer');
  if (missingArm64(path.join(prepared, 'nodejs', 'node_modules'), version).length === 0) {
    return { kind: 'prepared', dir: prepared };
  }
  if (missingArm64(nodeModules, version).length === 0) {
    return {
      kind: 'node_modules',
      nodeModules,
      packages: [...sharpJsPackages(nodeModules), ...SHARP_ARM64_PACKAGES],
    };
  }
  return undefined;
}

/**
 * Source 3.: install sharp for linux-arm64 into `<cacheDir>/sharp-layer`, checked before it is
 * renamed into place (an outdated folder is swapped out, a concurrent build that finished first
 * is kept). Throws SharpLayerError saying what is missing and what to run.
 */
export function buildSharpLayer(
  projectRoot: string,
  cacheDir = path.join(projectRoot, '.cache'),
  install: SharpInstaller = npmSharpInstaller,
): string {
  const version = projectSharpVersion(path.join(projectRoot, 'node_modules'));
  const outDir = path.join(cacheDir, 'sharp-layer');
  const complete = (dir: string) => missingArm64(path.join(dir, 'nodejs', 'node_modules'), version);
  const wanted = `sharp@${version} with ${SHARP_ARM64_PACKAGES.join(' and ')}`;
  const fix =
    'Run `npm run sharp:layer` where the npm registry is reachable (or `npm ci` on a linux-arm64 machine), then synth again.';
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, '.sharp-layer-'));
  try {
    try {
      install({ version, prefix: path.join(tmp, 'nodejs') });
    } catch (e) {
      const err = e as Error & { stderr?: Buffer | string };
      const detail =
        String(err.stderr ?? '')
          .trim()
          .split('\n')
          .slice(-3)
          .join(' ') || err.message;
      throw new SharpLayerError(
        `The resolver's sharp layer needs ${wanted} (linux-arm64 binaries); they are not in ` +
          `${outDir} nor in node_modules, and installing them failed: ${detail}. ${fix}`,
      );
    }
    const missing = complete(tmp);
    if (missing.length) {
      throw new SharpLayerError(
        `The resolver's sharp layer would lack its linux-arm64 binaries: installing ${wanted} ` +
          `produced no ${missing.join(', ')}, so the resolver could not decode photos. ${fix}`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      try {
        fs.renameSync(tmp, outDir);
        return outDir;
      } catch (e) {
        if (complete(outDir).length === 0) return outDir; // another synth won the race
        if (attempt >= 2) throw e;
        // an outdated or partial folder: move it aside, then try again
        const old = `${tmp}-old-${attempt}`;
        try {
          fs.renameSync(outDir, old);
        } catch {
          // someone else moved it
        }
        fs.rmSync(old, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Copy the packages into `<cacheDir>/<key>/nodejs/node_modules` (the layout Lambda layers use for
 * Node). The folder is keyed by the packages and their versions and built under a temporary
 * name, then renamed into place, so concurrent synths never see a half-copied layer.
 */
export function stageSharpLayer(nodeModules: string, packages: readonly string[], cacheDir: string): string {
  const key = createHash('sha256')
    .update(packages.map((p) => `${p}@${pkgJson(nodeModules, p)?.version}`).join(','))
    .digest('hex')
    .slice(0, 16);
  const outDir = path.join(cacheDir, key);
  if (fs.existsSync(path.join(outDir, 'nodejs'))) return outDir;
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.${key}-`));
  for (const pkg of packages) {
    const target = path.join(tmp, 'nodejs', 'node_modules', pkg);
    fs.cpSync(path.join(nodeModules, pkg), target, { recursive: true, dereference: true });
  }
  try {
    fs.renameSync(tmp, outDir);
  } catch (e) {
    // another synth won the race; its copy is identical
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(outDir, 'nodejs'))) throw e;
  }
  return outDir;
}

export interface SharpLayerProps {
  projectRoot: string;
  /** where the prepared/built and staged layers live; default `<projectRoot>/.cache` */
  cacheDir?: string;
  /** how source 3. installs sharp for linux-arm64; default npm (tests pass their own) */
  installer?: SharpInstaller;
}

export class SharpLayer extends Construct {
  readonly layer: lambda.LayerVersion;
  readonly source: SharpLayerSource;

  constructor(scope: Construct, id: string, props: SharpLayerProps) {
    super(scope, id);
    const cacheDir = props.cacheDir ?? path.join(props.projectRoot, '.cache');
    this.source = resolveSharpLayerSource(props.projectRoot, cacheDir) ?? {
      kind: 'built',
      dir: buildSharpLayer(props.projectRoot, cacheDir, props.installer),
    };
    const dir =
      this.source.kind === 'node_modules'
        ? stageSharpLayer(
            this.source.nodeModules,
            this.source.packages,
            path.join(cacheDir, 'sharp-layer-staged'),
          )
        : this.source.dir;
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      code: lambda.Code.fromAsset(dir),
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      description: 'sharp with its linux-arm64 binaries for the avtrz resolver',
    });
  }
}
