/** Resolver peak RSS for a 4000×4000 source (see resolver-entry.ts), baseline a 400×400 source. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundle, SDK_BUNDLED } from './bundle';
import { round } from './stats';

type Row = (figure: string, value: string, baseline: string, ratio: string) => void;
type Target = { name: string; target: string; value: string; met: boolean | null; note?: string };

const ROOT = path.resolve(__dirname, '../..');

export async function resolverMemory(o: {
  tmp: string;
  quick: boolean;
  row: Row;
  targets: Target[];
  env: NodeJS.ProcessEnv;
}): Promise<Record<string, unknown>> {
  const file = path.join(o.tmp, 'resolver/index.js');
  await bundle(path.join(__dirname, 'resolver-entry.ts'), file, SDK_BUNDLED);
  const out = path.join(o.tmp, 'resolver-memory.json');
  // the resolver's structured log (stdout) explains a source that did not become a photo
  // async: the provider stand-in lives in this process and must keep answering meanwhile
  const { stdout: logs } = await promisify(execFile)(process.execPath, [file, out], {
    env: {
      ...o.env,
      AVTRZ_LOG_LEVEL: 'info',
      NODE_PATH: path.join(ROOT, 'node_modules'),
      NODE_NO_WARNINGS: '1',
    },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
    encoding: 'utf8',
  });
  const r = JSON.parse(readFileSync(out, 'utf8')) as {
    after_import: { hwm_mb: number };
    small: { kind: string; ms: number };
    after_small: { hwm_mb: number };
    big: { kind: string; ms: number };
    after_big: { hwm_mb: number };
    big_png: { kind: string; ms: number };
    after_big_png: { hwm_mb: number };
    max_rss_mb: number;
  };
  if (r.big.kind !== 'photo' || r.big_png.kind !== 'photo') {
    const why = logs
      .split('\n')
      .filter((l) => /"(no photo|photo refused)"|"level":"(warn|error)"/.test(l))
      .join(' | ');
    throw new Error(
      `a 4000×4000 source did not become a photo (jpeg: ${r.big.kind}, png: ${r.big_png.kind}): ${why.slice(0, 600)}`,
    );
  }
  const jpeg = r.after_big.hwm_mb;
  const peak = r.after_big_png.hwm_mb; // VmHWM is monotonic: the peak over every source so far
  o.row(
    'resolver peak RSS, 4000² JPEG / PNG',
    `${jpeg} / ${peak} MB`,
    `${r.after_small.hwm_mb} MB after a 400² source`,
    `+${round(jpeg - r.after_small.hwm_mb, 1)} / +${round(peak - r.after_small.hwm_mb, 1)} MB`,
  );
  o.targets.push({
    name: 'resolver peak RSS (4000×4000)',
    target: '≤ 300 MB',
    value: `${peak} MB (JPEG alone ${jpeg} MB)`,
    met: peak <= 300,
  });
  return r;
}
