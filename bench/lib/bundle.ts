/**
 * Lambda bundle measurements: esbuild (minified, node22, CommonJS, everything bundled except the
 * native `sharp`, which the avatar bundle must not reach anyway) and the cold import time of the
 * bundle in a fresh `node` process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { SDK_FROM_RUNTIME } from '../../lib/constructs/function';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '../..');

export interface BundleInfo {
  file: string;
  bytes: number;
  kb: number;
  /** the largest inputs, for explaining the size */
  top: { input: string; kb: number }[];
}

/** `entry`: a file, or `{ contents }` of a TypeScript module resolved from the repository root. */
export interface BundleVariant {
  name: string;
  /** label in the printed table */
  short: string;
  /** esbuild mainFields; undefined = esbuild's default for node (main first: CommonJS builds) */
  mainFields?: string[];
  external: string[];
}

/**
 * How the CDK function construct bundles (lib/constructs/function.ts: minify, CJS, node22, the
 * AWS SDK taken from the Lambda runtime, sharp external). Externals resolve from node_modules.
 */
export const AS_DEPLOYED: BundleVariant = {
  name: 'as deployed (SDK from the Lambda runtime)',
  short: 'as deployed',
  external: ['sharp', ...SDK_FROM_RUNTIME],
};
/**
 * Everything but sharp bundled: the alternative measured below, and how the bench's own child
 * entries (cpu-entry.ts, resolver-entry.ts) are built so they run without the Lambda runtime.
 */
export const SDK_BUNDLED: BundleVariant = {
  name: 'SDK bundled, CJS builds',
  short: 'SDK bundled',
  external: ['sharp'],
};
/** The alternatives, measured for the record: what bundling the SDK would cost. */
export const VARIANTS: BundleVariant[] = [
  AS_DEPLOYED,
  SDK_BUNDLED,
  {
    name: 'SDK bundled, ESM builds (mainFields module)',
    short: 'SDK bundled, ESM builds',
    mainFields: ['module', 'main'],
    external: ['sharp'],
  },
];

export async function bundle(
  entry: string | { contents: string },
  outfile: string,
  variant: BundleVariant = AS_DEPLOYED,
): Promise<BundleInfo> {
  mkdirSync(path.dirname(outfile), { recursive: true });
  const res = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : {
          stdin: {
            contents: entry.contents,
            loader: 'ts',
            resolveDir: ROOT,
            sourcefile: 'doc-client-only.ts',
          },
        }),
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // as lib/constructs/function.ts: lazy SDK imports become require() through NODE_PATH
    supported: { 'dynamic-import': false },
    external: variant.external,
    mainFields: variant.mainFields,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = statSync(outfile).size;
  const inputs = res.metafile.outputs[Object.keys(res.metafile.outputs)[0]].inputs;
  const byPkg = new Map<string, number>();
  for (const [input, v] of Object.entries(inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = m ? m[1] : input.split('/').slice(0, 2).join('/');
    byPkg.set(name, (byPkg.get(name) ?? 0) + v.bytesInOutput);
  }
  const top = [...byPkg.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([input, b]) => ({ input, kb: Math.round(b / 102.4) / 10 }));
  return { file: outfile, bytes, kb: Math.round(bytes / 102.4) / 10, top };
}

/** A bundle that only constructs the DynamoDB document client: the floor any handler pays. */
export const DOC_CLIENT_ONLY = {
  contents: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const client = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
  marshallOptions: { removeUndefinedValues: true },
});
export const handler = async () => ({ statusCode: 204 });
`,
};

/** Median (over `runs` fresh node processes) of the time `require(file)` takes, in ms. */
export function coldImportMs(files: string[], runs: number, env: NodeJS.ProcessEnv): number[][] {
  const out: number[][] = files.map(() => []);
  const script =
    'const t=process.hrtime.bigint();const m=require(process.argv[1]);' +
    'if(typeof m.handler!=="function")throw new Error("no handler export");' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  // interleave so drift on the machine hits both sides alike
  for (let r = 0; r < runs; r++) {
    files.forEach((f, i) => {
      const ms = Number(execFileSync(process.execPath, ['-e', script, f], { env, encoding: 'utf8' }));
      out[i].push(ms);
    });
  }
  return out;
}

export { median };
