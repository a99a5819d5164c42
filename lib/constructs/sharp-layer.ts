/**
 * A Lambda layer carrying `sharp` and its linux-arm64 native binaries for the resolver.
 *
 * Why a layer and not `bundling.nodeModules: ['sharp']`: nodeModules makes NodejsFunction run
 * `npm install` inside the bundle directory at synth time. That needs the network and installs
 * the binaries of the machine that synthesises (x64 here), not of the Lambda (arm64), so synth
 * would be neither offline nor correct. Instead the resolver's bundle marks `sharp` external and
 * this layer puts it at /opt/nodejs/node_modules, where Node's resolution finds it.
 *
 * Where the layer's files come from, first match wins:
 *  1. `.cache/sharp-layer/nodejs/node_modules` prepared once, online, by
 *     `npm run sharp:layer` (installs sharp for linux/arm64/glibc into that folder);
 *  2. the project's own node_modules when `npm ci` ran on a linux-arm64 machine (it then has
 *     @img/sharp-linux-arm64 and @img/sharp-libvips-linux-arm64);
 *  3. otherwise the layer carries sharp's JavaScript only, and synth adds the warning
 *     `avtrz:sharp-arm64-missing` telling you to run `npm run sharp:layer` before deploying
 *     (the resolver cannot decode photos without the binaries). Synth itself never needs the
 *     network, so `npm ci && npx cdk synth` keeps working offline from a clean clone.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** The linux-arm64 binaries sharp loads on Lambda. */
export const SHARP_ARM64_PACKAGES = ['@img/sharp-linux-arm64', '@img/sharp-libvips-linux-arm64'] as const;

export type SharpLayerSource =
  | { kind: 'prepared'; dir: string }
  | { kind: 'node_modules'; nodeModules: string; packages: string[] }
  | { kind: 'js-only'; nodeModules: string; packages: string[]; reason: string };

const pkgJson = (
  nodeModules: string,
  pkg: string,
): { version: string; dependencies?: Record<string, string> } | undefined => {
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

/** Decide where the layer comes from (pure apart from reading the file system). */
export function resolveSharpLayerSource(projectRoot: string): SharpLayerSource {
  const nodeModules = path.join(projectRoot, 'node_modules');
  const packages = sharpJsPackages(nodeModules);
  const version = pkgJson(nodeModules, 'sharp')?.version;
  const armPresent = (dir: string) => SHARP_ARM64_PACKAGES.every((p) => pkgJson(dir, p));

  const prepared = path.join(projectRoot, '.cache', 'sharp-layer');
  const preparedModules = path.join(prepared, 'nodejs', 'node_modules');
  const preparedVersion = pkgJson(preparedModules, 'sharp')?.version;
  if (preparedVersion === version && armPresent(preparedModules)) return { kind: 'prepared', dir: prepared };

  if (armPresent(nodeModules)) {
    return { kind: 'node_modules', nodeModules, packages: [...packages, ...SHARP_ARM64_PACKAGES] };
  }
  const reason =
    preparedVersion && preparedVersion !== version
      ? `.cache/sharp-layer holds sharp ${preparedVersion} but the project uses ${version}`
      : 'this machine installed the binaries of another platform';
  return { kind: 'js-only', nodeModules, packages, reason };
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
}

export class SharpLayer extends Construct {
  readonly layer: lambda.LayerVersion;
  readonly source: SharpLayerSource;

  constructor(scope: Construct, id: string, props: SharpLayerProps) {
    super(scope, id);
    this.source = resolveSharpLayerSource(props.projectRoot);
    const dir =
      this.source.kind === 'prepared'
        ? this.source.dir
        : stageSharpLayer(
            this.source.nodeModules,
            this.source.packages,
            path.join(props.projectRoot, '.cache', 'sharp-layer-staged'),
          );
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      code: lambda.Code.fromAsset(dir),
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      description: 'sharp with its linux-arm64 binaries for the avtrz resolver',
    });
    if (this.source.kind === 'js-only') {
      Annotations.of(this).addWarningV2(
        'avtrz:sharp-arm64-missing',
        `The sharp layer has no linux-arm64 binaries (${this.source.reason}). ` +
          'Run `npm run sharp:layer` once (needs the npm registry) before `cdk deploy`, or the resolver cannot decode photos.',
      );
    }
  }
}
