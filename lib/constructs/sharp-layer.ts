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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** sharp, its runtime dependencies, and the linux-arm64 binaries it loads. */
export const SHARP_JS_PACKAGES = ['sharp', '@img/colour', 'detect-libc'] as const;
export const SHARP_ARM64_PACKAGES = ['@img/sharp-linux-arm64', '@img/sharp-libvips-linux-arm64'] as const;

export type SharpLayerSource =
  | { kind: 'prepared'; dir: string }
  | { kind: 'node_modules'; nodeModules: string }
  | { kind: 'js-only'; nodeModules: string };

const has = (nodeModules: string, pkg: string) => fs.existsSync(path.join(nodeModules, pkg, 'package.json'));

/** Decide where the layer comes from (pure apart from reading the file system). */
export function resolveSharpLayerSource(projectRoot: string): SharpLayerSource {
  const prepared = path.join(projectRoot, '.cache', 'sharp-layer');
  const preparedModules = path.join(prepared, 'nodejs', 'node_modules');
  if ([...SHARP_JS_PACKAGES, ...SHARP_ARM64_PACKAGES].every((p) => has(preparedModules, p))) {
    return { kind: 'prepared', dir: prepared };
  }
  const nodeModules = path.join(projectRoot, 'node_modules');
  if (!SHARP_JS_PACKAGES.every((p) => has(nodeModules, p))) {
    throw new Error(`sharp is not installed in ${nodeModules}: run npm ci first`);
  }
  if (SHARP_ARM64_PACKAGES.every((p) => has(nodeModules, p))) return { kind: 'node_modules', nodeModules };
  return { kind: 'js-only', nodeModules };
}

/** Copy the packages into `<outDir>/nodejs/node_modules` (the layout Lambda layers use for Node). */
export function stageSharpLayer(nodeModules: string, packages: readonly string[], outDir: string): string {
  const target = path.join(outDir, 'nodejs', 'node_modules');
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const pkg of packages) {
    fs.cpSync(path.join(nodeModules, pkg), path.join(target, pkg), { recursive: true, dereference: true });
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
    let dir: string;
    if (this.source.kind === 'prepared') {
      dir = this.source.dir;
    } else {
      const packages =
        this.source.kind === 'node_modules'
          ? [...SHARP_JS_PACKAGES, ...SHARP_ARM64_PACKAGES]
          : SHARP_JS_PACKAGES;
      dir = stageSharpLayer(
        this.source.nodeModules,
        packages,
        path.join(props.projectRoot, '.cache', 'sharp-layer-staged'),
      );
    }
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      code: lambda.Code.fromAsset(dir),
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      description: 'sharp with its linux-arm64 binaries for the avtrz resolver',
    });
    if (this.source.kind === 'js-only') {
      Annotations.of(this).addWarningV2(
        'avtrz:sharp-arm64-missing',
        'The sharp layer has no linux-arm64 binaries (this machine installed another platform). ' +
          'Run `npm run sharp:layer` once (needs the npm registry) before `cdk deploy`, or the resolver cannot decode photos.',
      );
    }
  }
}
