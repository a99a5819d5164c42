/**
 * Resolver peak memory, in a fresh `node` process running the esbuild bundle of the REAL
 * resolver handler (sharp external, as deployed with its layer) against DynamoDB Local, s3rver
 * and the provider stand-in. VmHWM (peak RSS) is read after import, after a 400×400 source
 * (baseline), after a 4000×4000 JPEG (libjpeg can shrink while decoding) and after a 4000×4000
 * PNG (decoded in full). argv: <result file>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { profileId } from '../../lambdas/core/profile-id';
import { handler } from '../../lambdas/resolver/handler';

function vm(): { hwm_mb: number; rss_mb: number } {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? Number.NaN);
  return { hwm_mb: Math.round(kb('VmHWM') / 102.4) / 10, rss_mb: Math.round(kb('VmRSS') / 102.4) / 10 };
}

async function lookup(slug: string): Promise<unknown> {
  const profile = `linkedin.com/in/${slug}`;
  const id = profileId(process.env.AVTRZ_HMAC_SECRET ?? '', profile);
  const t = performance.now();
  const r = (await handler({ op: 'lookup', id, profile, size: 128, format: 'webp' })) as {
    record?: { kind?: string };
  };
  return { kind: r?.record?.kind, ms: Math.round(performance.now() - t) };
}

(async () => {
  const run = Date.now().toString(36);
  const afterImport = vm();
  const small = await lookup(`mem-small-${run}`);
  const afterSmall = vm();
  const big = await lookup(`big-mem-${run}`);
  const afterBig = vm();
  const bigPng = await lookup(`bigpng-mem-${run}`);
  const afterBigPng = vm();
  writeFileSync(
    process.argv[2],
    JSON.stringify({
      after_import: afterImport,
      small,
      after_small: afterSmall,
      big,
      after_big: afterBig,
      big_png: bigPng,
      after_big_png: afterBigPng,
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    }),
  );
})().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
