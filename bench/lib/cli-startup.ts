/**
 * CLI start-up: wall time of `avtrz --version` and `avtrz --help` as `npx avtrz` runs them
 * (node bin/avtrz.js → the esbuild bundle in .cache/cli), against the way the CLI started before
 * it was bundled (tsx's CommonJS register hook compiling bin/cli/main.ts on every call), and a
 * baseline `node -e ''` in the same rounds. Rounds are interleaved; medians are reported.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { median, round } from './stats';

const ROOT = path.resolve(__dirname, '../..');

function wallMs(args: string[], env: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  const ms = performance.now() - t;
  if (r.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 300)}`);
  return ms;
}

export interface CliStartup {
  runs: number;
  baseline_node_ms: number;
  bundled: { version_ms: number; help_ms: number };
  tsx: { version_ms: number; help_ms: number };
  ratio_vs_node: { bundled_version: number; bundled_help: number; tsx_version: number; tsx_help: number };
  speedup_bundled_vs_tsx: number;
}

export function measureCliStartup(tmp: string, runs: number, env: NodeJS.ProcessEnv): CliStartup {
  // the CLI as bin/avtrz.js started it before bundling (tsx compiles the TypeScript per call)
  const tsxLauncher = path.join(tmp, 'avtrz-tsx.js');
  writeFileSync(
    tsxLauncher,
    `require(${JSON.stringify(require.resolve('tsx/cjs/api', { paths: [ROOT] }))}).register();
require(${JSON.stringify(path.join(ROOT, 'bin/cli/main.ts'))}).main(process.argv.slice(2)).then((c) => { process.exitCode = c; });
`,
  );
  const bin = path.join(ROOT, 'bin/avtrz.js');
  const cases = {
    node: ['-e', ''],
    bundledVersion: [bin, '--version'],
    bundledHelp: [bin, '--help'],
    tsxVersion: [tsxLauncher, '--version'],
    tsxHelp: [tsxLauncher, '--help'],
  };
  const times: Record<keyof typeof cases, number[]> = {
    node: [],
    bundledVersion: [],
    bundledHelp: [],
    tsxVersion: [],
    tsxHelp: [],
  };
  // warm-up: builds the bundle if stale and fills tsx's compile cache, so neither is measured
  for (const args of Object.values(cases)) wallMs(args, env);
  for (let i = 0; i < runs; i++) {
    for (const [k, args] of Object.entries(cases)) times[k as keyof typeof cases].push(wallMs(args, env));
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<
    keyof typeof cases,
    number
  >;
  return {
    runs,
    baseline_node_ms: round(m.node, 1),
    bundled: { version_ms: round(m.bundledVersion, 1), help_ms: round(m.bundledHelp, 1) },
    tsx: { version_ms: round(m.tsxVersion, 1), help_ms: round(m.tsxHelp, 1) },
    ratio_vs_node: {
      bundled_version: round(m.bundledVersion / m.node, 2),
      bundled_help: round(m.bundledHelp / m.node, 2),
      tsx_version: round(m.tsxVersion / m.node, 2),
      tsx_help: round(m.tsxHelp / m.node, 2),
    },
    speedup_bundled_vs_tsx: round(m.tsxVersion / m.bundledVersion, 2),
  };
}
