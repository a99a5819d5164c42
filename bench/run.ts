/**
 * `npm run bench`: every figure next to a baseline measured in the same run, on this machine.
 * Prints a table, writes bench/results.json. Nothing here is a pass/fail test: targets are
 * reported as met/missed with the numbers. Bounded: every loop has a count and a deadline.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundle, coldImportMs, DOC_CLIENT_ONLY, SDK_BUNDLED, VARIANTS } from './lib/bundle';
import { measureCliStartup } from './lib/cli-startup';
import { runHttpSections } from './lib/http-sections';
import { shardsSection } from './lib/shards';
import { median, round } from './lib/stats';
import {
  benchmarksSection,
  mergeReadmeTables,
  shardsReadme,
  writeReadmeSection,
  writeShardsReadme,
} from './readme';

const ROOT = path.resolve(__dirname, '..');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'avtrz-bench-'));
const QUICK = process.env.AVTRZ_BENCH_QUICK === '1';
/**
 * `--only cli,handler_cpu`: run just these sections and merge them into bench/results.json.
 * `npm run bench -- shards` (or AVTRZ_BENCH_ONLY=shards) is `--only shards`.
 */
const ONLY = (() => {
  if (process.argv.includes('shards') || process.env.AVTRZ_BENCH_ONLY === 'shards')
    return new Set(['shards']);
  const i = process.argv.indexOf('--only');
  return i < 0 ? undefined : new Set((process.argv[i + 1] ?? '').split(',').filter(Boolean));
})();

/** env for child processes that load handler code: config fails fast without these */
export const HANDLER_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AVTRZ_TABLE: 'bench',
  AVTRZ_BUCKET: 'bench',
  AVTRZ_CDN_URL: 'https://cdn.avtrz.test',
  AVTRZ_HMAC_SECRET: 'bench-hmac-secret-0123456789',
  AVTRZ_LOG_LEVEL: 'info',
  // the SDK's Node-version notice on stderr is noise here (same in every child)
  NODE_NO_WARNINGS: '1',
};

type Target = { name: string; target: string; value: string; met: boolean | null; note?: string };
const results: Record<string, unknown> = {
  generated_at: new Date().toISOString(),
  /** other work on the machine skews absolute figures; the ratios are measured side by side */
  load_average_start: os.loadavg().map((x) => round(x, 2)),
  machine: {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model,
    node: process.version,
    mem_gb: round(os.totalmem() / 2 ** 30, 1),
  },
};
const targets: Target[] = [];
const lines: string[] = [];

function log(s: string): void {
  process.stdout.write(`${s}\n`);
}

async function section(name: string, fn: () => Promise<Record<string, unknown>>): Promise<void> {
  const t = performance.now();
  log(`\n== ${name}`);
  try {
    const r = await fn();
    results[name] = { ...r, seconds: round((performance.now() - t) / 1000, 1) };
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    log(`   n/a: ${msg}`);
    results[name] = { error: msg };
  }
}

function row(figure: string, value: string, baseline: string, ratio: string): void {
  const l = `| ${figure} | ${value} | ${baseline} | ${ratio} |`;
  lines.push(l);
  log(`   ${figure}: ${value}   (baseline ${baseline}; ${ratio})`);
}

async function bundleSection(): Promise<Record<string, unknown>> {
  const runs = QUICK ? 5 : 15;
  const out: Record<string, unknown>[] = [];
  for (const [i, v] of VARIANTS.entries()) {
    const avatar = await bundle(
      path.join(ROOT, 'lambdas/avatar/handler.ts'),
      path.join(TMP, `b${i}/avatar.js`),
      v,
    );
    const base = await bundle(DOC_CLIENT_ONLY, path.join(TMP, `b${i}/docclient.js`), v);
    // externals resolve from the repository's node_modules, as the runtime's own SDK would
    const env = { ...HANDLER_ENV, NODE_PATH: path.join(ROOT, 'node_modules') };
    const [a, b] = coldImportMs([avatar.file, base.file], runs, env);
    const am = median(a);
    const bm = median(b);
    const tag = i === 0 ? '' : ` [${v.short}]`;
    row(
      `avatar bundle${tag}`,
      `${avatar.kb} KB`,
      `${base.kb} KB doc-client-only`,
      `${round(avatar.kb / base.kb)}×`,
    );
    row(
      `cold import, median of ${runs}${tag}`,
      `${round(am, 1)} ms`,
      `${round(bm, 1)} ms doc-client-only`,
      `${round(am / bm)}×`,
    );
    if (i === 0) {
      targets.push({
        name: 'avatar bundle size (as deployed)',
        target: '≤ 300 KB',
        value: `${avatar.kb} KB`,
        met: avatar.kb <= 300,
      });
      targets.push({
        name: 'avatar cold import (as deployed)',
        target: '≤ 1.3× doc-client-only',
        value: `${round(am / bm)}× (${round(am, 1)} vs ${round(bm, 1)} ms)`,
        met: am / bm <= 1.3,
      });
    }
    out.push({
      variant: v.name,
      avatar_kb: avatar.kb,
      avatar_top_inputs: avatar.top,
      doc_client_only_kb: base.kb,
      size_ratio: round(avatar.kb / base.kb, 3),
      cold_import_ms: { avatar_median: round(am, 2), doc_client_only_median: round(bm, 2), runs },
      cold_import_ratio: round(am / bm, 3),
    });
  }
  return { variants: out };
}

async function cpuSection(): Promise<Record<string, unknown>> {
  const file = path.join(TMP, 'cpu/index.js');
  await bundle(path.join(__dirname, 'lib/cpu-entry.ts'), file, SDK_BUNDLED);
  const n = QUICK ? 5000 : 20000;
  const out = path.join(TMP, 'cpu.json');
  // stdout (the structured log line per request, as in Lambda) goes to /dev/null
  execFileSync(process.execPath, [file, String(n), out], {
    env: HANDLER_ENV,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const r = JSON.parse(readFileSync(out, 'utf8')) as {
    handler_us_gross: number;
    stub_us: number;
    bare_us: number;
    calls_per_request: { get: number; update: number };
  };
  const net = r.handler_us_gross - r.stub_us;
  row(
    'handler CPU / request (I/O stubbed)',
    `${round(net, 1)} µs`,
    `${round(r.bare_us, 1)} µs bare middy 302`,
    `${round(net / r.bare_us)}×`,
  );
  targets.push({ name: 'handler CPU', target: '≤ 300 µs', value: `${round(net, 1)} µs`, met: net <= 300 });
  return { iterations: n, handler_us: round(net, 1), ...r };
}

async function cliSection(): Promise<Record<string, unknown>> {
  const runs = QUICK ? 5 : 15;
  const r = measureCliStartup(TMP, runs, { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' });
  const base = `${r.baseline_node_ms} ms node -e ''`;
  row(
    `CLI avtrz --version, median of ${runs}`,
    `${r.bundled.version_ms} ms`,
    base,
    `${r.ratio_vs_node.bundled_version}×`,
  );
  row(
    `CLI avtrz --help, median of ${runs}`,
    `${r.bundled.help_ms} ms`,
    base,
    `${r.ratio_vs_node.bundled_help}×`,
  );
  row(
    `CLI avtrz --version [tsx, before bundling]`,
    `${r.tsx.version_ms} ms`,
    base,
    `${r.ratio_vs_node.tsx_version}×`,
  );
  row(`CLI avtrz --help [tsx, before bundling]`, `${r.tsx.help_ms} ms`, base, `${r.ratio_vs_node.tsx_help}×`);
  const worst = Math.max(r.bundled.version_ms, r.bundled.help_ms);
  targets.push({
    name: 'CLI start-up (--version, --help)',
    target: '< 300 ms',
    value: `${worst} ms (${r.speedup_bundled_vs_tsx}× faster than tsx)`,
    met: worst < 300,
  });
  return {
    generated_at: new Date().toISOString(),
    load_average_start: os.loadavg().map((x) => round(x, 2)),
    ...r,
  };
}

const SECTIONS: Record<string, () => Promise<Record<string, unknown>>> = {
  bundle: bundleSection,
  handler_cpu: cpuSection,
  // the stack in its own process + provider stand-in; the resolver-memory child runs against them
  http: () => runHttpSections({ tmp: TMP, quick: QUICK, row, targets, env: HANDLER_ENV }),
  cli: cliSection,
  shards: shardsWithTargets,
};

/** Budget shards under a per-item write limit (bench/lib/shards.ts), with its targets. */
async function shardsWithTargets(): Promise<Record<string, unknown>> {
  const r = await shardsSection(QUICK);
  for (const x of ((r.rows ?? []) as Record<string, number>[]).filter((row) => row.shards > 1)) {
    targets.push({
      name: `budget shards S=${x.shards}`,
      target: `≥ ${x.target_ratio}× S=1, 0 over-admitted`,
      value: `${x.ratio_to_1}×, ${x.over_admitted} over`,
      met: x.ratio_to_1 >= x.target_ratio && x.over_admitted === 0,
    });
  }
  return { generated_at: new Date().toISOString(), ...r };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  log(`avtrz bench — ${os.cpus().length} CPUs, node ${process.version}${QUICK ? ' (quick)' : ''}`);
  for (const name of ONLY ?? []) if (!SECTIONS[name]) throw new Error(`--only: no section "${name}"`);
  for (const [name, fn] of Object.entries(SECTIONS)) if (!ONLY || ONLY.has(name)) await section(name, fn);

  const file = path.join(ROOT, 'bench/results.json');
  if (ONLY) {
    // keep every other section's figures; replace the targets this run measured
    const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const measured = new Set(targets.map((t) => t.name));
    const kept = ((old.targets ?? []) as Target[]).filter((t) => !measured.has(t.name));
    for (const name of ONLY) old[name] = results[name];
    old.targets = [...kept, ...targets];
    writeFileSync(file, `${JSON.stringify(old, null, 2)}\n`);
  } else {
    results.targets = targets;
    results.load_average_end = os.loadavg().map((x) => round(x, 2));
    results.total_seconds = round((performance.now() - t0) / 1000, 1);
    mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  }
  log('\n| figure | value | baseline (same run) | ratio |\n|---|---|---|---|');
  for (const l of lines) log(l);
  log('\n| target | goal | measured | |\n|---|---|---|---|');
  for (const t of targets)
    log(`| ${t.name} | ${t.target} | ${t.value} | ${t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED'} |`);
  log(`\nwrote bench/results.json (${round((performance.now() - t0) / 1000, 1)} s)`);
  if (process.argv.includes('--readme') && ONLY) {
    mergeReadmeTables(path.join(ROOT, 'README.md'), lines, targets);
    if (ONLY.has('shards')) writeShardsReadme(path.join(ROOT, 'README.md'), shardsReadme(results));
    log('updated these rows of the README "Benchmarks" tables');
  } else if (process.argv.includes('--readme')) {
    writeReadmeSection(path.join(ROOT, 'README.md'), benchmarksSection(results, lines));
    log('updated the README "Benchmarks" section');
  }
  rmSync(TMP, { recursive: true, force: true });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  rmSync(TMP, { recursive: true, force: true });
  process.exit(1);
});
