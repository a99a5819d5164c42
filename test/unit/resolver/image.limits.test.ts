/**
 * Decompression bomb: a valid PNG of a few KB that declares 20000×20000 pixels (400 MP, ~400 MB
 * once decoded to 8-bit grey). The resolver's decoder (lambdas/resolver/image.ts: sharp with
 * limitInputPixels, one thread, no cache) must refuse it from its header. Peak RSS is measured
 * in a child process, so this test's own heap does not blur the figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FETCH_LIMITS } from '../../../lambdas/core/fetch-policy';
import { bombPng } from '../../support/provider';

const ROOT = path.resolve(__dirname, '../../..');

function child(file: string, maxPixels: number) {
  const script = `
    const { inspectOriginal, renderVariant } = require(${JSON.stringify(path.join(ROOT, 'lambdas/resolver/image.ts'))});
    const bytes = require('node:fs').readFileSync(${JSON.stringify(file)});
    const base = process.resourceUsage().maxRSS;
    (async () => {
      const out = { bytes: bytes.length, baseKb: base };
      try { out.inspect = await inspectOriginal(bytes, ${maxPixels}); } catch (e) { out.inspectRefused = e.reason; }
      try { out.rendered = (await renderVariant(bytes, 128, 'webp', ${maxPixels})).length; } catch (e) { out.renderRefused = e.reason; }
      out.peakKb = process.resourceUsage().maxRSS;
      process.stdout.write(JSON.stringify(out));
    })();
  `;
  const res = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (res.status !== 0) throw new Error(`child failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as {
    bytes: number;
    baseKb: number;
    peakKb: number;
    inspectRefused?: string;
    renderRefused?: string;
    rendered?: number;
  };
}

test('a 20000×20000 PNG bomb is refused from its header with bounded memory', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-bomb-'));
  const file = path.join(dir, 'bomb.png');
  writeFileSync(file, bombPng(20000));
  const out = child(file, FETCH_LIMITS.maxInputPixels);
  expect(out.bytes).toBeLessThan(200 * 1024); // small file…
  expect(out.inspectRefused).toBe('too_many_pixels'); // …refused before decoding
  expect(out.renderRefused).toBe('too_many_pixels'); // and the renderer refuses it on its own too
  // 400 MP would need ~400 MB decoded; the refusal keeps the process near its baseline
  const growthMb = (out.peakKb - out.baseKb) / 1024;
  process.stdout.write(
    `bomb: ${out.bytes} bytes, peak RSS ${(out.peakKb / 1024).toFixed(1)} MB (baseline ${(out.baseKb / 1024).toFixed(1)} MB, +${growthMb.toFixed(1)} MB)\n`,
  );
  expect(growthMb).toBeLessThan(100);
});
